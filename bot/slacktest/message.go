package slacktest

import (
	"encoding/json"
	"slices"
	"strings"
)

// Message is a message in a channel, identified by its ts. Its content is read live:
// after chat.update, Text and Buttons show the new version.
type Message struct {
	sim     *Sim
	Channel *Channel
	TS      string
}

type msgData struct {
	ts, threadTS          string // threadTS: the parent's ts on replies and on a parent with replies
	user, botID           string
	subtype               string
	text                  string
	blocks                blockSet
	metadata              json.RawMessage
	username, icon, emoji string
	broadcast             bool
	replies               []string // ts of thread replies
	reactions             []reaction
	edited                *edit
	files                 []*fileData // file_share
	clientMsgID           string
	inviter               string    // channel_join
	parentUser            string    // on replies: the parent's author
	env                   *Envelope // the envelope that delivered its event, if any
	team                  string    // the author's organisation when it is another's (External)
}

type reaction struct {
	name  string
	users []string
}

type edit struct{ user, ts string }

func (m *msgData) isReply() bool { return m.threadTS != "" && m.threadTS != m.ts }

// searchText is what Expect* matches: the text and every visible text in the blocks.
func (m *msgData) searchText() string {
	return strings.Join(append([]string{m.text}, m.blocks.texts()...), "\n")
}

func (s *Sim) msgHandle(c *channelData, ts string) *Message {
	return &Message{sim: s, Channel: s.handle(c), TS: ts}
}

// data returns the stored message. Call with s.mu held.
func (m *Message) data() *msgData {
	c := m.sim.channels[m.Channel.ID]
	if c == nil {
		return nil
	}
	return c.byTS[m.TS]
}

func (m *Message) read(f func(d *msgData)) {
	m.sim.mu.Lock()
	defer m.sim.mu.Unlock()
	if d := m.data(); d != nil {
		f(d)
	}
}

// Text is the message's current text.
func (m *Message) Text() (text string) {
	m.read(func(d *msgData) { text = d.text })
	return text
}

// Blocks is the message's current blocks as JSON (null if none).
func (m *Message) Blocks() (raw json.RawMessage) {
	m.read(func(d *msgData) { raw = slices.Clone(d.blocks.raw) })
	return raw
}

// Buttons lists the visible texts of the message's buttons, in order.
func (m *Message) Buttons() (texts []string) {
	m.read(func(d *msgData) { texts = d.blocks.buttonTexts() })
	return texts
}

// ThreadTS is the thread the message is in (its parent's ts), or "" at top level.
func (m *Message) ThreadTS() (ts string) {
	m.read(func(d *msgData) { ts = d.threadTS })
	return ts
}

// User is the id of the message's author.
func (m *Message) User() (id string) {
	m.read(func(d *msgData) { id = d.user })
	return id
}

// Metadata is the message's metadata ({"event_type":…,"event_payload":…}) as JSON.
func (m *Message) Metadata() (raw json.RawMessage) {
	m.read(func(d *msgData) { raw = slices.Clone(d.metadata) })
	return raw
}

// Reactions lists the names of the reactions on the message.
func (m *Message) Reactions() (names []string) {
	m.read(func(d *msgData) {
		for _, r := range d.reactions {
			names = append(names, r.name)
		}
	})
	return names
}

// json is the message object of message events, conversations.history and
// interaction payloads.
func (m *msgData) json() obj {
	team := TeamID
	if m.team != "" {
		team = m.team
	}
	o := obj{"type": "message", "text": m.text, "ts": m.ts, "team": team}
	if m.user != "" {
		o["user"] = m.user
	}
	if m.subtype != "" {
		o["subtype"] = m.subtype
	}
	if m.botID != "" {
		o["bot_id"] = m.botID
		o["app_id"] = AppID
		o["bot_profile"] = obj{
			"id": m.botID, "app_id": AppID, "name": BotName, "deleted": false,
			"team_id": TeamID, "updated": 1700000000,
			"icons": obj{"image_36": "https://avatars.example.com/bot_36.png"},
		}
	} else if m.subtype == "" || m.subtype == "file_share" {
		o["client_msg_id"] = m.clientMsgID
	}
	if len(m.files) > 0 {
		var fs []obj
		for _, f := range m.files {
			fs = append(fs, f.json())
		}
		o["files"], o["upload"], o["display_as_bot"] = fs, false, false
	}
	if m.blocks.raw != nil {
		o["blocks"] = json.RawMessage(m.blocks.raw)
	}
	if m.metadata != nil {
		o["metadata"] = json.RawMessage(m.metadata)
	}
	if m.username != "" {
		o["username"] = m.username
	}
	if m.icon != "" || m.emoji != "" {
		o["icons"] = obj{"icon_url": m.icon, "icon_emoji": m.emoji}
	}
	if m.threadTS != "" {
		o["thread_ts"] = m.threadTS
	}
	if m.isReply() {
		o["parent_user_id"] = m.parentUser
	}
	if len(m.replies) > 0 {
		o["reply_count"] = len(m.replies)
		o["latest_reply"] = m.replies[len(m.replies)-1]
	}
	if m.edited != nil {
		o["edited"] = obj{"user": m.edited.user, "ts": m.edited.ts}
	}
	if m.inviter != "" {
		o["inviter"] = m.inviter
	}
	if len(m.reactions) > 0 {
		var rs []obj
		for _, r := range m.reactions {
			rs = append(rs, obj{"name": r.name, "users": r.users, "count": len(r.users)})
		}
		o["reactions"] = rs
	}
	return o
}
