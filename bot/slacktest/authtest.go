package slacktest

// auth.test: who the bot token belongs to. (Not auth_test.go: that would be a test file.)
func (s *Sim) authTest(*call) (obj, string) {
	return obj{
		"url": "https://" + TeamDomain + ".slack.com/", "team": "Frontdesk Sim",
		"user": BotName, "team_id": TeamID, "user_id": BotUserID, "bot_id": BotID,
		"is_enterprise_install": false,
	}, ""
}
