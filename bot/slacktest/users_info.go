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
			users = append(users, u.json())
		}
		return obj{"users": users}, ""
	}
	u := s.users[c.str("user")]
	if u == nil {
		return nil, "user_not_found"
	}
	out := u.json()
	if c.bool("include_locale") {
		out["locale"] = "en-US"
	}
	return obj{"user": out}, ""
}
