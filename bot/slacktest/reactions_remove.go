package slacktest

import "slices"

// reactions.remove: takes the bot's reaction off a message.
func (s *Sim) reactionsRemove(c *call) (obj, string) {
	_, m, code := s.reactionTarget(c)
	if code != "" {
		return nil, code
	}
	name := c.str("name")
	for i, r := range m.reactions {
		if r.name != name || !slices.Contains(r.users, BotUserID) {
			continue
		}
		r.users = slices.DeleteFunc(slices.Clone(r.users), func(u string) bool { return u == BotUserID })
		if len(r.users) == 0 {
			m.reactions = slices.Delete(m.reactions, i, i+1)
		} else {
			m.reactions[i].users = r.users
		}
		s.notify()
		return obj{}, ""
	}
	return nil, "no_reaction"
}
