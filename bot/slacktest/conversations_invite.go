package slacktest

import "strings"

// conversations.invite: users is a comma list. Without force one bad user fails the
// whole call, as Slack does; with force the bad ones are skipped. Each join posts a
// channel_join message and delivers member_joined_channel.
func (s *Sim) conversationsInvite(c *call) (obj, string) {
	ch, code := s.botChannel(c.str("channel"))
	if code != "" {
		return nil, code
	}
	switch {
	case ch.im:
		return nil, "method_not_supported_for_channel_type"
	case ch.archived:
		return nil, "is_archived"
	case !ch.isMember(BotUserID):
		return nil, "not_in_channel"
	}
	var ids []string
	for _, id := range strings.Split(c.str("users"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, "no_user"
	}
	var ok []string
	for _, id := range ids {
		if code := s.invitable(ch, id); code != "" {
			if !c.bool("force") {
				return nil, code
			}
			continue
		}
		ok = append(ok, id)
	}
	for _, id := range ok {
		ch.addMember(id)
		s.addMessage(ch, &msgData{
			user: id, subtype: "channel_join", inviter: BotUserID,
			text: "<@" + id + "> has joined the channel",
		})
		s.sendMemberJoined(ch, id, BotUserID)
	}
	s.notify()
	return obj{"channel": ch.json()}, ""
}

// invitable says why the user cannot join ch, or "". Call with s.mu held.
func (s *Sim) invitable(ch *channelData, id string) string {
	u := s.users[id]
	switch {
	case u == nil:
		return "user_not_found"
	case id == BotUserID:
		return "cant_invite_self"
	case ch.isMember(id):
		return "already_in_channel"
	case u.deleted:
		return "cant_invite"
	case s.ultraElsewhere(id, ch.id):
		return "ura_max_channels"
	}
	return ""
}
