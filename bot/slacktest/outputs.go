package slacktest

import (
	"fmt"
	"strings"
)

// outKind is a kind of thing the bot shows people, which a test must consume.
type outKind int

const (
	outMessage   outKind = iota // top-level message in a channel
	outReply                    // thread reply
	outUpdate                   // chat.update of a message
	outEphemeral                // chat.postEphemeral
	outDM                       // top-level message in a DM
	outView                     // modal opened (views.open, views.push)
)

func (k outKind) String() string {
	return [...]string{"message", "thread reply", "update", "ephemeral", "DM", "modal"}[k]
}

// output is one thing the bot produced, with a snapshot of its text.
type output struct {
	kind     outKind
	channel  string // channel id (messages, replies, updates, ephemerals, DMs)
	where    string // human name of the place: "#tickets", "DM with alice"
	ts       string // the message's ts; for an ephemeral, its message_ts
	parent   string // thread parent ts, for replies
	user     string // recipient of ephemerals, DMs and modals
	viewID   string
	text     string
	eph      *Ephemeral
	consumed bool
}

func (o *output) String() string {
	text := o.text
	if len(text) > 120 {
		text = text[:117] + "..."
	}
	return fmt.Sprintf("%s in %s: %q", o.kind, o.where, text)
}

// emit records an output. Call with s.mu held.
func (s *Sim) emit(o *output) {
	s.outs = append(s.outs, o)
	s.notify()
}

// take consumes the first unconsumed output for which match is true. Call with s.mu held.
func (s *Sim) take(match func(o *output) bool) *output {
	for _, o := range s.outs {
		if !o.consumed && match(o) {
			o.consumed = true
			return o
		}
	}
	return nil
}

// pending lists the unconsumed outputs for which match is true, for failure messages.
// Call with s.mu held.
func (s *Sim) pending(match func(o *output) bool) string {
	var lines []string
	for _, o := range s.outs {
		if !o.consumed && match(o) {
			lines = append(lines, "\t"+o.String())
		}
	}
	if len(lines) == 0 {
		return "\tnothing unconsumed there"
	}
	return strings.Join(lines, "\n")
}

// where names a channel for people: "#name" or "DM with alice". Call with s.mu held.
func (s *Sim) where(c *channelData) string {
	if c.im {
		if u := s.users[c.imUser]; u != nil {
			return "DM with " + u.name
		}
		return "DM " + c.id
	}
	return "#" + c.name
}

func containsAll(text string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(text, sub) {
			return false
		}
	}
	return true
}

// Ignore exempts from the strictness check every output whose text contains all of
// the substrings (e.g. a periodic reminder the test does not care about).
func (s *Sim) Ignore(substrings ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ignores = append(s.ignores, substrings)
}

// DiscardUnexpected turns the strictness check off for this test.
func (s *Sim) DiscardUnexpected() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.discard = true
}

// checkUnconsumed fails the test listing every output no Expect* call consumed.
func (s *Sim) checkUnconsumed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.discard {
		return
	}
	var lines []string
	for _, o := range s.outs {
		if o.consumed || s.ignored(o) {
			continue
		}
		lines = append(lines, "\t"+o.String())
	}
	if len(lines) > 0 {
		s.errorf("the bot produced %d thing(s) no Expect* call consumed:\n%s",
			len(lines), strings.Join(lines, "\n"))
	}
}

func (s *Sim) ignored(o *output) bool {
	for _, subs := range s.ignores {
		if containsAll(o.text, subs) {
			return true
		}
	}
	return false
}
