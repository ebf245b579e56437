package slacktest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// idGen makes the identifiers Slack hands out. Guarded by Sim.mu.
type idGen struct {
	start   time.Time
	lastTS  int64 // microseconds of the last message ts
	counter int
}

func (g *idGen) next() int {
	g.counter++
	return g.counter
}

// ts returns a message timestamp: "1700000000.000100", strictly increasing and unique
// across the workspace.
func (g *idGen) ts() string {
	us := time.Now().UnixMicro()
	if us <= g.lastTS {
		us = g.lastTS + 1
	}
	g.lastTS = us
	return formatTS(us)
}

func formatTS(us int64) string { return fmt.Sprintf("%d.%06d", us/1e6, us%1e6) }

// base36 is n in upper-case base 36, zero padded to width.
func base36(n, width int) string {
	s := strings.ToUpper(strconv.FormatInt(int64(n), 36))
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

func (g *idGen) channelID() string { return "C" + base36(g.next(), 8) }
func (g *idGen) imID() string      { return "D" + base36(g.next(), 8) }
func (g *idGen) viewID() string    { return "V" + base36(g.next(), 8) }
func (g *idGen) fileID() string    { return "F" + base36(g.next(), 8) }
func (g *idGen) eventID() string   { return "Ev" + base36(g.next(), 8) }
func (g *idGen) blockID() string   { return "b" + strings.ToLower(base36(g.next(), 4)) }
func (g *idGen) actionID() string  { return "a" + strings.ToLower(base36(g.next(), 4)) }
func (g *idGen) hash() string {
	return fmt.Sprintf("%d.%s", time.Now().Unix(), randHex(4))
}

func (g *idGen) triggerID() string {
	return fmt.Sprintf("%d.%d.%s", time.Now().UnixMilli(), g.next(), randHex(16))
}

// uuid is a random version 4 UUID, as Slack uses for envelope ids.
func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
