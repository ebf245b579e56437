package slacktest

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

const maxMessageText = 40000

// content is the text, blocks and metadata of a chat.* call.
type content struct {
	text      string
	hasText   bool
	blocks    blockSet
	hasBlocks bool
	metadata  json.RawMessage
}

// readContent reads and checks text, blocks and metadata. On failure it returns the
// error code and, for invalid_blocks, Slack's response_metadata explaining it.
func (s *Sim) readContent(c *call) (content, obj, string) {
	var ct content
	ct.text, ct.hasText = c.str("text"), c.has("text")
	if utf8.RuneCountInString(ct.text) > maxMessageText {
		return ct, nil, "msg_too_long"
	}
	if raw := c.raw("blocks"); raw != nil {
		bs, err := s.normalizeBlocks(raw)
		if err == nil {
			err = bs.validate(maxMessageBlocks)
		}
		if err != nil {
			s.logf("%s: invalid_blocks: %v", c.method, err)
			return ct, obj{"response_metadata": obj{"messages": []string{"[ERROR] " + err.Error()}}}, "invalid_blocks"
		}
		ct.blocks, ct.hasBlocks = bs, true
	}
	if raw := c.raw("metadata"); raw != nil {
		md, ok := readMetadata(raw)
		if !ok {
			return ct, nil, "invalid_metadata_format"
		}
		ct.metadata = md
	}
	return ct, nil, ""
}

// empty reports whether there is nothing to show (Slack's no_text).
func (ct content) empty() bool {
	return strings.TrimSpace(ct.text) == "" && len(ct.blocks.items) == 0
}

// readMetadata checks {"event_type": "...", "event_payload": {...}}.
func readMetadata(raw json.RawMessage) (json.RawMessage, bool) {
	var md struct {
		EventType    string          `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	}
	if json.Unmarshal(raw, &md) != nil || md.EventType == "" {
		return nil, false
	}
	if p := bytes.TrimSpace(md.EventPayload); len(p) == 0 || p[0] != '{' {
		return nil, false
	}
	out, _ := json.Marshal(obj{"event_type": md.EventType, "event_payload": md.EventPayload})
	return out, true
}

// botChannel finds a conversation as the bot sees it: private channels and DMs it is
// not in do not exist for it. Call with s.mu held.
func (s *Sim) botChannel(id string) (*channelData, string) {
	c := s.channels[id]
	if c == nil {
		c = s.channelByName(strings.TrimPrefix(id, "#"))
	}
	if c == nil || (c.private && !c.isMember(BotUserID)) {
		return nil, "channel_not_found"
	}
	return c, ""
}

// postable checks that the bot may post in c. Call with s.mu held.
func postable(c *channelData) string {
	switch {
	case c.archived:
		return "is_archived"
	case !c.isMember(BotUserID):
		return "not_in_channel"
	}
	return ""
}

// addMessage stores m in c, threading it under its parent (or at top level when the
// parent does not exist, as Slack does), and delivers its message event. Call with
// s.mu held.
func (s *Sim) addMessage(c *channelData, m *msgData) *Envelope {
	m.ts = s.ids.ts()
	if m.threadTS != "" {
		parent := c.byTS[m.threadTS]
		if parent != nil && parent.isReply() {
			parent = c.byTS[parent.threadTS]
		}
		if parent == nil {
			s.logf("thread_ts %s is not a message in %s; posted at top level, as Slack does", m.threadTS, s.where(c))
			m.threadTS = ""
		} else {
			m.threadTS = parent.ts
			m.parentUser = parent.user
			parent.threadTS = parent.ts
			parent.replies = append(parent.replies, m.ts)
		}
	}
	c.msgs = append(c.msgs, m)
	c.byTS[m.ts] = m
	env := s.sendMessageEvent(c, m)
	s.sendAppMention(c, m)
	s.notify()
	return env
}
