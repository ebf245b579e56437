package slacktest

import "encoding/json"

// The JSON the web view's page reads: the workspace as one person sees it.

type webState struct {
	Version   uint64      `json:"version"`
	Title     string      `json:"title"`
	Me        string      `json:"me"`
	Users     []webUser   `json:"users"`
	Channels  []webChan   `json:"channels"`
	Channel   *webHistory `json:"channel"`
	Modal     *webModal   `json:"modal"`
	Home      *webModal   `json:"home"`
	Shortcuts webCuts     `json:"shortcuts"`
}

type webCuts struct {
	Message []Shortcut `json:"message"`
	Global  []Shortcut `json:"global"`
}

type webUser struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Real  string `json:"real_name"`
	Bot   bool   `json:"bot"`
	Admin bool   `json:"admin"`
}

type webChan struct {
	ID       string `json:"id"`
	Name     string `json:"name"` // "" for the DM with the app
	Private  bool   `json:"private"`
	IM       bool   `json:"im"`
	Archived bool   `json:"archived"`
	Member   bool   `json:"member"`
	Members  int    `json:"members"`
	Latest   string `json:"latest"` // the ts of its last message, "" if none
}

type webHistory struct {
	ID         string   `json:"id"`
	Messages   []webMsg `json:"messages"` // top level, in order, each with its thread
	Ephemerals []webMsg `json:"ephemerals"`
}

type webMsg struct {
	TS        string          `json:"ts"`
	ThreadTS  string          `json:"thread_ts,omitempty"`
	User      string          `json:"user,omitempty"`
	Username  string          `json:"username,omitempty"` // the name the app posted under
	Bot       bool            `json:"bot,omitempty"`
	Subtype   string          `json:"subtype,omitempty"`
	Text      string          `json:"text"`
	Blocks    json.RawMessage `json:"blocks,omitempty"`
	Edited    bool            `json:"edited,omitempty"`
	Reactions []string        `json:"reactions,omitempty"`
	Files     []string        `json:"files,omitempty"`
	Replies   []webMsg        `json:"replies,omitempty"`
}

type webModal struct {
	ID     string          `json:"id"`
	Hash   string          `json:"hash"`
	Title  string          `json:"title"`
	Submit string          `json:"submit"`
	Close  string          `json:"close"`
	Blocks json.RawMessage `json:"blocks"`
}

// snapshot is the state the page shows for user, with channel's history when they see
// it. Call with s.mu held.
func (w *webView) snapshot(user, channel string) webState {
	s := w.s
	st := webState{
		Version: s.version, Title: w.cfg.Title, Me: user,
		Users: []webUser{}, Channels: []webChan{},
		Shortcuts: webCuts{Message: orNone(w.cfg.MessageShortcuts), Global: orNone(w.cfg.GlobalShortcuts)},
	}
	for _, id := range s.userOrder {
		u := s.users[id]
		if !u.deleted {
			st.Users = append(st.Users, webUser{ID: u.id, Name: u.name, Real: u.realName, Bot: u.isBot, Admin: u.admin})
		}
	}
	for _, id := range s.chanOrder {
		c := s.channels[id]
		if !canSee(c, user) {
			continue
		}
		wc := webChan{ID: c.id, Name: c.name, Private: c.private, IM: c.im, Archived: c.archived,
			Member: c.isMember(user), Members: len(c.members)}
		if n := len(c.msgs); n > 0 {
			wc.Latest = c.msgs[n-1].ts
		}
		st.Channels = append(st.Channels, wc)
		if c.id == channel {
			st.Channel = w.history(c, user)
		}
	}
	if stack := s.stacks[user]; len(stack) > 0 {
		st.Modal = modalJSON(s.views[stack[len(stack)-1]])
	}
	if id, ok := s.homes[user]; ok {
		st.Home = modalJSON(s.views[id])
	}
	return st
}

func orNone(cuts []Shortcut) []Shortcut {
	if cuts == nil {
		return []Shortcut{}
	}
	return cuts
}

// history is channel c's messages, threads nested, and user's ephemerals there. Call with
// s.mu held.
func (w *webView) history(c *channelData, user string) *webHistory {
	h := &webHistory{ID: c.id, Messages: []webMsg{}, Ephemerals: []webMsg{}}
	for _, m := range c.msgs {
		if m.isReply() {
			continue
		}
		wm := msgJSON(m)
		for _, ts := range m.replies {
			if r := c.byTS[ts]; r != nil {
				wm.Replies = append(wm.Replies, msgJSON(r))
			}
		}
		h.Messages = append(h.Messages, wm)
	}
	for _, o := range w.s.outs {
		if o.kind == outEphemeral && o.user == user && o.channel == c.id && o.eph != nil {
			e := o.eph
			h.Ephemerals = append(h.Ephemerals, webMsg{TS: e.TS, ThreadTS: e.ThreadTS, User: BotUserID,
				Bot: true, Text: e.Text, Blocks: json.RawMessage(e.blocks.raw)})
		}
	}
	return h
}

func msgJSON(m *msgData) webMsg {
	wm := webMsg{TS: m.ts, User: m.user, Username: m.username, Bot: m.botID != "", Subtype: m.subtype,
		Text: m.text, Blocks: json.RawMessage(m.blocks.raw), Edited: m.edited != nil}
	if m.isReply() {
		wm.ThreadTS = m.threadTS
	}
	for _, r := range m.reactions {
		wm.Reactions = append(wm.Reactions, r.name)
	}
	for _, f := range m.files {
		wm.Files = append(wm.Files, f.Name)
	}
	return wm
}

func modalJSON(v *viewData) *webModal {
	if v == nil {
		return nil
	}
	blocks := json.RawMessage(v.blocks.raw)
	if blocks == nil {
		blocks = json.RawMessage("[]")
	}
	return &webModal{ID: v.id, Hash: v.hash, Title: v.title(),
		Submit: block{Text: v.req.Submit}.text(), Close: block{Text: v.req.Close}.text(), Blocks: blocks}
}
