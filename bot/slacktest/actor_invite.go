package slacktest

import "slices"

// Invite is the user adding who (another user, or the app: sim.Bot()) to the channel,
// as /invite does: who joins (a channel_join message) and, when the app is in the
// channel, it gets member_joined_channel with the user as inviter
// (https://docs.slack.dev/reference/events/member_joined_channel). The user must be a
// member; who must be able to join (an external person only where their organisation
// is, a single-channel guest in one channel only).
func (u *User) Invite(ch *Channel, who *User) {
	s := u.sim
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[ch.ID]
	switch {
	case c == nil || c.im:
		s.errorf("%s invites into %s, which is no channel", u.Name, ch.ID)
		return
	case !c.isMember(u.ID):
		s.errorf("%s invites into %s but is not a member", u.Name, s.where(c))
		return
	case who.ID == BotUserID && c.isMember(who.ID):
		s.errorf("the app is already in %s", s.where(c))
		return
	}
	if who.ID != BotUserID {
		// As conversations.invite would refuse them (already in, a guest elsewhere, ...).
		if code := s.invitable(c, who.ID); code != "" {
			s.errorf("%s cannot invite %s into %s: %s", u.Name, who.Name, s.where(c), code)
			return
		}
	}
	if d := s.users[who.ID]; d != nil && d.team != "" && !slices.Contains(c.shared, d.team) {
		s.errorf("%s, of organisation %s, cannot join %s, which is not shared with it", who.Name, d.team, s.where(c))
		return
	}
	c.addMember(who.ID)
	s.addMessage(c, &msgData{user: who.ID, subtype: "channel_join", inviter: u.ID, text: "<@" + who.ID + "> has joined the channel"})
	s.sendMemberJoined(c, who.ID, u.ID)
	s.notify()
}
