package slacktest

import (
	"slices"
	"strings"
)

// ExpectMessage waits for a top-level message from the bot in the channel whose text
// or blocks contain every substring, and consumes it.
func (c *Channel) ExpectMessage(substrings ...string) *Message {
	s := c.sim
	s.t.Helper()
	o := s.expectOutput("message "+quote(substrings)+" in "+c.label(),
		func(o *output) bool { return (o.kind == outMessage || o.kind == outDM) && o.channel == c.ID },
		func(o *output) bool { return containsAll(o.text, substrings) })
	if o == nil {
		return nil
	}
	return &Message{sim: s, Channel: c, TS: o.ts}
}

// ExpectMember waits until the user is a member of the channel.
func (c *Channel) ExpectMember(u *User) {
	c.sim.t.Helper()
	c.sim.expectState(u.Name+" in "+c.label(), func() bool {
		return c.sim.channels[c.ID].isMember(u.ID)
	})
}

// ExpectArchived waits until the channel is archived.
func (c *Channel) ExpectArchived() {
	c.sim.t.Helper()
	c.sim.expectState(c.label()+" archived", func() bool { return c.sim.channels[c.ID].archived })
}

// ExpectTopic waits until the channel's topic contains every substring.
func (c *Channel) ExpectTopic(substrings ...string) {
	c.sim.t.Helper()
	c.sim.expectState("topic "+quote(substrings)+" of "+c.label(), func() bool {
		return containsAll(c.sim.channels[c.ID].topic.value, substrings)
	})
}

func (c *Channel) label() string {
	if c.Name == "" {
		return "DM " + c.ID
	}
	return "#" + c.Name
}

// ExpectChannelCreated waits for a channel the bot created (conversations.create)
// whose name starts with namePrefix, not returned by an earlier call, and returns it.
func (s *Sim) ExpectChannelCreated(namePrefix string) *Channel {
	s.t.Helper()
	var got *channelData
	ok := s.waitFor(s.opts.timeout, func() bool {
		for _, id := range s.chanOrder {
			c := s.channels[id]
			if c.byBot && !c.consumed && strings.HasPrefix(c.name, namePrefix) {
				c.consumed, got = true, c
				return true
			}
		}
		return false
	})
	if !ok {
		var names []string
		s.mu.Lock()
		for _, id := range s.chanOrder {
			if c := s.channels[id]; c.byBot && !c.consumed {
				names = append(names, c.name)
			}
		}
		s.mu.Unlock()
		s.t.Fatalf("slacktest: no channel %q* created within %v; unclaimed channels the bot created: %q",
			namePrefix, s.opts.timeout, names)
		return nil
	}
	return &Channel{sim: s, ID: got.id, Name: got.name}
}

// Messages lists the channel's messages (replies included) in order, e.g. to check
// what a user would scroll through.
func (c *Channel) Messages() []*Message {
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	var out []*Message
	for _, m := range c.sim.channels[c.ID].msgs {
		out = append(out, &Message{sim: c.sim, Channel: c, TS: m.ts})
	}
	return slices.Clip(out)
}
