package slacktest

import "strings"

// users.info: one user (user), or several (users, as slack-go's GetUsersInfo sends).
func (s *Sim) usersInfo(c *call) (obj, string) {
	if list := c.str("users"); list != "" && !c.has("user") {
		users := []obj{}
		for _, id := range strings.Split(list, ",") {
			u := s.users[strings.TrimSpace(id)]
			if u == nil {
				return nil, "user_not_found"
			}
			users = append(users, s.userInfo(u, false))
		}
		return obj{"users": users}, ""
	}
	u := s.users[c.str("user")]
	if u == nil {
		return nil, "user_not_found"
	}
	return obj{"user": s.userInfo(u, c.bool("include_locale"))}, ""
}

// userInfo is users.info's user object of u: for a user of another organisation with
// is_stranger (https://docs.slack.dev/reference/methods/users.info: "When looking up a
// user belonging to a foreign workspace party to a shared channel, you'll find an
// is_stranger boolean attribute"; true when the app shares no channel with them), and
// never a locale. Call with s.mu held.
func (s *Sim) userInfo(u *userData, locale bool) obj {
	out := u.json()
	if u.team != "" {
		out["is_stranger"] = !s.sharesChannelWithBot(u.id)
	} else if locale {
		out["locale"] = "en-US"
	}
	return out
}

// sharesChannelWithBot reports whether user and the app are members of a shared channel
// together. Call with s.mu held.
func (s *Sim) sharesChannelWithBot(user string) bool {
	for _, c := range s.channels {
		if len(c.shared) > 0 && c.isMember(user) && c.isMember(BotUserID) {
			return true
		}
	}
	return false
}
