package slacktest

import "strings"

// team.info: the workspace (no team, or TeamID), or another organisation the app shares
// a channel with (ShareChannel), named by SetTeamName. The fields of the example at
// https://docs.slack.dev/reference/methods/team.info; an organisation no channel is
// shared with is team_not_found.
func (s *Sim) teamInfo(c *call) (obj, string) {
	id := c.str("team")
	if id == "" || id == TeamID {
		return obj{"team": obj{"id": TeamID, "name": "Frontdesk Sim", "domain": TeamDomain, "email_domain": "example.com",
			"icon": obj{"image_default": true}}}, ""
	}
	shared := false
	for _, ch := range s.channels {
		if ch.isMember(BotUserID) && strings.Contains(","+strings.Join(ch.shared, ",")+",", ","+id+",") {
			shared = true
		}
	}
	if !shared {
		return nil, "team_not_found"
	}
	name := s.teamNames[id]
	if name == "" {
		name = id
	}
	return obj{"team": obj{"id": id, "name": name, "domain": strings.ToLower(id), "icon": obj{"image_default": true}}}, ""
}

// SetTeamName names the organisation whose team id is team, as team.info gives it.
func (s *Sim) SetTeamName(team, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.teamNames == nil {
		s.teamNames = map[string]string{}
	}
	s.teamNames[team] = name
}
