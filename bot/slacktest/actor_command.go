package slacktest

// Command is the user running the slash command (e.g. "/frontdesk") with text in
// channel ch: a slash_commands envelope whose payload has the fields Slack sends with a
// command (https://docs.slack.dev/interactivity/implementing-slash-commands: token,
// team_id, team_domain, channel_id, channel_name, user_id, user_name, command, text,
// api_app_id, is_enterprise_install, response_url, trigger_id), with a fresh trigger_id.
// Over Socket Mode they come as a JSON object of strings, is_enterprise_install "false"
// included (a real envelope: https://github.com/slack-go/slack/issues/1265).
// It waits for the app's ack. The user must see the channel.
func (u *User) Command(ch *Channel, command, text string) Ack {
	s := u.sim
	s.t.Helper()
	s.mu.Lock()
	c := s.channels[ch.ID]
	if c == nil || !canSee(c, u.ID) {
		s.mu.Unlock()
		s.errorf("%s runs %s in %s, which they cannot see", u.Name, command, ch.ID)
		return Ack{}
	}
	name := c.name
	if c.im {
		name = "directmessage"
	} else if c.private {
		name = "privategroup" // as Slack names private channels in commands
	}
	p := obj{
		"token": "sim-verification-token", "team_id": TeamID, "team_domain": TeamDomain,
		"channel_id": c.id, "channel_name": name, "user_id": u.ID, "user_name": u.Name,
		"command": command, "text": text, "api_app_id": AppID, "is_enterprise_install": "false",
		"response_url": s.responseURL(), "trigger_id": s.newTrigger(u.ID),
	}
	env := s.enqueue("slash_commands", p, "")
	s.mu.Unlock()
	a, ok := s.awaitAck(env)
	if !ok {
		s.errorf("%s runs %s: the app did not ack the slash_commands envelope within %v", u.Name, command, s.opts.ackDeadline)
	}
	return a
}
