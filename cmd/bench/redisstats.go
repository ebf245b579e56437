package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"net"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// commandStats reads INFO commandstats: calls per command ("evalsha", "xreadgroup", …).
func commandStats(ctx context.Context, rdb *redis.Client) (map[string]int64, error) {
	s, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, line := range strings.Split(s, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		name = strings.TrimPrefix(name, "cmdstat_")
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "calls="); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				out[name] = n
			}
		}
	}
	return out, nil
}

// infoField reads one numeric field of an INFO section (e.g. memory, used_memory).
func infoField(ctx context.Context, rdb *redis.Client, section, field string) (int64, error) {
	s, err := rdb.Info(ctx, section).Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("INFO %s has no %s", section, field)
}

// monitored is one command MONITOR showed.
type monitored struct {
	at     float64 // unix seconds
	client string  // "127.0.0.1:port", or "lua" for a command a script ran
	cmd    string  // lower case
	arg    string  // the first argument (the sha of an evalsha, the key of an xadd)
	stream string  // the stream an xreadgroup reads
}

// monitor captures what Redis runs (MONITOR) until stop is called.
type monitor struct {
	conn net.Conn
	mu   sync.Mutex
	recs []monitored
	done chan struct{}
}

func startMonitor(addr string) (*monitor, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	if _, err := c.Write([]byte("MONITOR\r\n")); err != nil {
		c.Close()
		return nil, err
	}
	r := bufio.NewReaderSize(c, 1<<20)
	line, err := r.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "+OK" {
		c.Close()
		return nil, fmt.Errorf("MONITOR answered %q: %v", line, err)
	}
	m := &monitor{conn: c, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if rec, ok := parseMonitor(line); ok {
				m.mu.Lock()
				m.recs = append(m.recs, rec)
				m.mu.Unlock()
			}
		}
	}()
	return m, nil
}

// parseMonitor reads `+1700000000.123456 [0 127.0.0.1:5000] "evalsha" "…" …`.
func parseMonitor(line string) (monitored, bool) {
	line = strings.TrimPrefix(strings.TrimSpace(line), "+")
	ts, rest, ok := strings.Cut(line, " [")
	if !ok {
		return monitored{}, false
	}
	who, rest, ok := strings.Cut(rest, "] ")
	if !ok {
		return monitored{}, false
	}
	at, err := strconv.ParseFloat(ts, 64)
	if err != nil {
		return monitored{}, false
	}
	_, client, _ := strings.Cut(who, " ")
	cmd, rest := monitorToken(rest)
	arg, rest := monitorToken(rest)
	rec := monitored{at: at, client: client, cmd: strings.ToLower(cmd), arg: arg}
	if rec.cmd == "xreadgroup" { // XREADGROUP GROUP <group> <consumer> … STREAMS <key> <id>
		for prev := arg; ; {
			tok, next := monitorToken(rest)
			if next == rest { // no more (quoted) arguments
				break
			}
			if strings.EqualFold(prev, "streams") {
				rec.stream = tok
				break
			}
			prev, rest = tok, next
		}
	}
	return rec, true
}

// monitorToken reads one quoted argument of a MONITOR line (escaped as Redis's
// sdscatrepr does) and returns it with the rest of the line.
func monitorToken(s string) (string, string) {
	s = strings.TrimLeft(s, " ")
	if !strings.HasPrefix(s, `"`) {
		return "", s
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:]
		case '\\':
			if i+1 >= len(s) {
				return b.String(), ""
			}
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'x':
				if i+2 < len(s) {
					if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
						b.WriteByte(byte(v))
						i += 2
						continue
					}
				}
				b.WriteByte(e)
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// stop ends the capture and returns what it saw.
func (m *monitor) stop() []monitored {
	time.Sleep(50 * time.Millisecond) // let the last lines arrive
	m.conn.Close()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.recs
}

// backgroundScripts run on timers, not per operation: lease renewals and releases, and
// the poll that moves due timers into the outbox.
var backgroundScripts = map[string]bool{"renewScript": true, "releaseScript": true, "fireScript": true}

// redisCost sums up a MONITOR capture: commands sent by clients, how many round trips
// they took (a pipeline is one: commands of one connection that follow each other, each
// within 30µs of the end of the one before, what a script it ran included), and commands
// run inside scripts; each by command name. Counted apart, in Background: the background
// scripts (and what they run), and the reads of streams that got no outbox entry
// in the capture (IdleReads: a blocking read timing out, or a lingering group's
// look for a batch), which cost time, not operations.
type redisCost struct {
	Client, RoundTrips, InScripts, Background int
	IdleReads                                 int
	ByCommand                                 map[string]int // client commands
	ByScriptCommand                           map[string]int // commands inside scripts
	ByScript                                  map[string]int // EVALSHA calls by script name
}

func newRedisCost() redisCost {
	return redisCost{ByCommand: map[string]int{}, ByScriptCommand: map[string]int{}, ByScript: map[string]int{}}
}

func summarize(recs []monitored, scripts map[string]string) redisCost {
	c := newRedisCost()
	// The streams an entry was appended to: the reads of the others were idle.
	fed := map[string]bool{}
	for _, r := range recs {
		if r.cmd == "xadd" {
			fed[r.arg] = true
		}
	}
	last := map[string]float64{} // client → when its previous command (or its script's last) ran
	prevClient := ""
	inBackground := false // the lua lines that follow belong to a background script
	for _, r := range recs {
		if r.client == "lua" {
			last[prevClient] = r.at
			if inBackground {
				c.Background++
				continue
			}
			c.InScripts++
			c.ByScriptCommand[r.cmd]++
			continue
		}
		inBackground = false
		if r.cmd == "xreadgroup" && !fed[r.stream] {
			c.Background++
			c.IdleReads++
			last[r.client] = r.at
			prevClient = r.client
			continue
		}
		if r.cmd == "evalsha" || r.cmd == "eval" {
			sha := r.arg
			if r.cmd == "eval" { // the first use of a script: its source
				sum := sha1.Sum([]byte(r.arg))
				sha = hex.EncodeToString(sum[:])
			}
			name := scripts[sha]
			if name == "" {
				name = "script " + sha[:min(8, len(sha))]
			}
			if backgroundScripts[name] {
				inBackground = true
				c.Background++
				last[r.client] = r.at
				prevClient = r.client
				continue
			}
			c.ByScript[name]++
		}
		c.Client++
		c.ByCommand[r.cmd]++
		if t, ok := last[r.client]; !ok || prevClient != r.client || r.at-t > 30e-6 {
			c.RoundTrips++
		}
		last[r.client] = r.at
		prevClient = r.client
	}
	return c
}

// sub is c minus an idle baseline scaled by factor (how many times longer c ran); the
// background is left as it is.
func (c redisCost) sub(idle redisCost, factor float64) redisCost {
	out := newRedisCost()
	scale := func(n int) int { return int(float64(n)*factor + 0.5) }
	out.Client = c.Client - scale(idle.Client)
	out.RoundTrips = c.RoundTrips - scale(idle.RoundTrips)
	out.InScripts = c.InScripts - scale(idle.InScripts)
	out.Background, out.IdleReads = c.Background, c.IdleReads
	for k, v := range c.ByCommand {
		out.ByCommand[k] = v - scale(idle.ByCommand[k])
	}
	for k, v := range c.ByScriptCommand {
		out.ByScriptCommand[k] = v - scale(idle.ByScriptCommand[k])
	}
	for k, v := range c.ByScript {
		out.ByScript[k] = v - scale(idle.ByScript[k])
	}
	return out
}

// perOp renders "evalsha 2.0, xreadgroup 3.0, …" per operation, largest first.
func perOp(m map[string]int, ops int) string {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range m {
		if v > 0 {
			kvs = append(kvs, kv{k, v})
		}
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v || kvs[i].v == kvs[j].v && kvs[i].k < kvs[j].k })
	var parts []string
	for _, e := range kvs {
		if x := float64(e.v) / float64(ops); x >= 0.05 {
			parts = append(parts, fmt.Sprintf("%s %.1f", e.k, x))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// scriptNames maps the SHA-1 of each Lua script the store runs to its variable name
// (pickScript, addMessageScript, …), read from the sources of store and the packages
// under it, so that EVALSHA calls can be told apart. A script's source may be a
// concatenation of string constants (emitLua + `...`): they are resolved within their
// package.
func scriptNames(root string) map[string]string {
	out := map[string]string{}
	_ = filepath.WalkDir(filepath.Join(root, "store"), func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		maps.Copy(out, packageScripts(dir))
		return nil
	})
	return out
}

// packageScripts is scriptNames for the Go package in dir.
func packageScripts(dir string) map[string]string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	values := map[string]ast.Expr{} // top-level constants and variables, by name
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST && gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						values[name.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	out := map[string]string{}
	for name, e := range values {
		call, ok := e.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			continue
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "NewScript" {
			continue
		}
		if src, ok := stringValue(call.Args[0], values, 0); ok {
			sum := sha1.Sum([]byte(src))
			out[hex.EncodeToString(sum[:])] = name
		}
	}
	return out
}

// stringValue evaluates a string expression made of literals and the names of other
// top-level values joined by +.
func stringValue(e ast.Expr, values map[string]ast.Expr, depth int) (string, bool) {
	if depth > 20 {
		return "", false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.ParenExpr:
		return stringValue(e.X, values, depth+1)
	case *ast.Ident:
		if v, ok := values[e.Name]; ok {
			return stringValue(v, values, depth+1)
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := stringValue(e.X, values, depth+1)
			b, ok2 := stringValue(e.Y, values, depth+1)
			return a + b, ok1 && ok2
		}
	}
	return "", false
}
