package slacktest

import (
	"slices"
	"strings"
	"time"
)

// Channel is a conversation: a public or private channel, or a DM (im).
type Channel struct {
	sim  *Sim
	ID   string
	Name string // empty for a DM
}

type channelData struct {
	id, name       string
	private, im    bool
	imUser         string // the human side of a DM
	members        []string
	archived       bool
	created        int64
	creator        string
	topic, purpose topic
	msgs           []*msgData // every message, in ts order, replies included
	byTS           map[string]*msgData
	byBot          bool // created by the app (conversations.create)
	consumed       bool // seen by ExpectChannelCreated
	// shared are the team ids of the other organisations the channel is shared with
	// (Slack Connect: ShareChannel); none for a channel of the workspace alone.
	shared []string
}

// ShareChannel shares the channel with the organisations of team ids teams (Slack
// Connect): their users (External) may then be members and post there; conversations.info
// shows it is_shared and is_ext_shared with connected_team_ids, the workspace its host
// (https://docs.slack.dev/reference/objects/conversation-object), and events from it say
// is_ext_shared_channel.
func (s *Sim) ShareChannel(ch *Channel, teams ...string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[ch.ID]
	if c == nil || c.im || len(teams) == 0 {
		s.t.Fatalf("slacktest: ShareChannel(%s, %v): no such channel, a DM, or no team", ch.ID, teams)
	}
	for _, t := range teams {
		if t == TeamID || !strings.HasPrefix(t, "T") {
			s.t.Fatalf("slacktest: ShareChannel(%s): %q is not another organisation's team id", ch.ID, t)
		}
		if !slices.Contains(c.shared, t) {
			c.shared = append(c.shared, t)
		}
	}
	s.notify()
}

type topic struct {
	value, creator string
	lastSet        int64
}

// AddChannel adds a channel with those members. The bot is a member only if passed
// (sim.Bot()). Single-channel guests may be in one channel only.
func (s *Sim) AddChannel(name string, private bool, members ...*User) *Channel {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := checkChannelName(name); code != "" {
		s.t.Fatalf("slacktest: AddChannel(%q): %s", name, code)
	}
	if s.channelByName(name) != nil {
		s.t.Fatalf("slacktest: AddChannel(%q): name taken", name)
	}
	c := s.newChannel(name, private)
	if len(members) > 0 {
		c.creator = members[0].ID
	}
	for _, m := range members {
		if s.ultraElsewhere(m.ID, c.id) {
			s.t.Fatalf("slacktest: AddChannel(%q): %s is a single-channel guest already in a channel", name, m.Name)
		}
		c.addMember(m.ID)
	}
	s.notify()
	return s.handle(c)
}

// newChannel creates a channel. Call with s.mu held.
func (s *Sim) newChannel(name string, private bool, creator ...string) *channelData {
	c := &channelData{
		id: s.ids.channelID(), name: name, private: private,
		created: time.Now().Unix(), byTS: map[string]*msgData{},
	}
	if len(creator) > 0 {
		c.creator = creator[0]
	}
	s.channels[c.id] = c
	s.chanOrder = append(s.chanOrder, c.id)
	return c
}

// imFor returns the DM channel between the bot and user, creating it. Call with s.mu held.
func (s *Sim) imFor(userID string) *channelData {
	if id, ok := s.ims[userID]; ok {
		return s.channels[id]
	}
	c := &channelData{
		id: s.ids.imID(), im: true, imUser: userID, private: true,
		created: time.Now().Unix(), byTS: map[string]*msgData{},
		members: []string{userID, BotUserID},
	}
	s.channels[c.id] = c
	s.chanOrder = append(s.chanOrder, c.id)
	s.ims[userID] = c.id
	return c
}

func (s *Sim) handle(c *channelData) *Channel { return &Channel{sim: s, ID: c.id, Name: c.name} }

// Channel returns the channel with that name or id, or nil.
func (s *Sim) Channel(nameOrID string) *Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[nameOrID]; c != nil {
		return s.handle(c)
	}
	if c := s.channelByName(nameOrID); c != nil {
		return s.handle(c)
	}
	return nil
}

// DM is the user's direct-message conversation with the bot (the App Home's Messages
// tab), opened if needed.
func (u *User) DM() *Channel {
	u.sim.mu.Lock()
	defer u.sim.mu.Unlock()
	return u.sim.handle(u.sim.imFor(u.ID))
}

func (s *Sim) channelByName(name string) *channelData {
	for _, id := range s.chanOrder {
		if c := s.channels[id]; !c.im && c.name == name {
			return c
		}
	}
	return nil
}

// ultraElsewhere reports whether user is a single-channel guest already in a channel
// other than except.
func (s *Sim) ultraElsewhere(userID, except string) bool {
	u := s.users[userID]
	if u == nil || !u.ultra {
		return false
	}
	for _, c := range s.channels {
		if c.id != except && !c.im && c.isMember(userID) {
			return true
		}
	}
	return false
}

func (c *channelData) isMember(userID string) bool { return slices.Contains(c.members, userID) }

func (c *channelData) addMember(userID string) {
	if !c.isMember(userID) {
		c.members = append(c.members, userID)
	}
}

func (c *channelData) removeMember(userID string) {
	c.members = slices.DeleteFunc(c.members, func(m string) bool { return m == userID })
}

// Members lists the member ids of the channel, in join order.
func (c *Channel) Members() []string {
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	return slices.Clone(c.sim.channels[c.ID].members)
}

// IsArchived reports whether the channel is archived.
func (c *Channel) IsArchived() bool {
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	return c.sim.channels[c.ID].archived
}

// Topic and Purpose are the channel's current topic and purpose.
func (c *Channel) Topic() string {
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	return c.sim.channels[c.ID].topic.value
}

// Purpose is the channel's current purpose.
func (c *Channel) Purpose() string {
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	return c.sim.channels[c.ID].purpose.value
}

// json is the conversation object of conversations.info and friends, as seen by the bot.
func (c *channelData) json() obj {
	if c.im {
		return obj{
			"id": c.id, "created": c.created, "is_im": true, "is_org_shared": false,
			"context_team_id": TeamID, "updated": c.created * 1000, "user": c.imUser,
			"is_user_deleted": false, "priority": 0, "is_open": true,
		}
	}
	return obj{
		"id": c.id, "name": c.name, "is_channel": true, "is_group": false, "is_im": false,
		"is_mpim": false, "is_private": c.private, "created": c.created,
		"is_archived": c.archived, "is_general": false, "unlinked": 0,
		"name_normalized": c.name, "is_shared": len(c.shared) > 0, "is_org_shared": false,
		"is_pending_ext_shared": false, "pending_shared": []string{},
		"is_ext_shared": len(c.shared) > 0, "context_team_id": TeamID, "updated": c.created * 1000,
		"conversation_host_id": TeamID, "shared_team_ids": append([]string{TeamID}, c.shared...),
		"connected_team_ids": append([]string{}, c.shared...), "internal_team_ids": []string{},
		"parent_conversation": nil, "creator": c.creator,
		"is_member": c.isMember(BotUserID), "last_read": "0000000000.000000",
		"topic":          obj{"value": c.topic.value, "creator": c.topic.creator, "last_set": c.topic.lastSet},
		"purpose":        obj{"value": c.purpose.value, "creator": c.purpose.creator, "last_set": c.purpose.lastSet},
		"previous_names": []string{}, "num_members": len(c.members),
	}
}

// channelType is the channel_type of message events.
func (c *channelData) channelType() string {
	switch {
	case c.im:
		return "im"
	case c.private:
		return "group"
	default:
		return "channel"
	}
}
