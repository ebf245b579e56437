package slacktest

import "net/http"

func teamRef() obj { return obj{"id": TeamID, "domain": TeamDomain} }

// interaction is the common part of interactive payloads. Call with s.mu held.
func (s *Sim) interaction(typ, user string) obj {
	return obj{
		"type": typ, "token": "sim-verification-token", "team": teamRef(),
		"user": s.users[user].ref(), "api_app_id": AppID, "enterprise": nil,
		"is_enterprise_install": false,
	}
}

// channelRef is the channel object of interactive payloads.
func channelRef(c *channelData) obj {
	name := c.name
	if c.im {
		name = "directmessage"
	}
	return obj{"id": c.id, "name": name}
}

// responseURL is a response_url for an interaction; the simulator refuses its use.
func (s *Sim) responseURL() string {
	return s.srv.URL + "/response/" + randHex(8)
}

// serveResponseURL answers a response_url POST. They are not simulated: the bot should
// use chat.update and chat.postEphemeral, which the simulator checks.
func (s *Sim) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	s.errorf("the app posted to a response_url, which the simulator does not implement")
	writeJSON(w, http.StatusNotFound, obj{"ok": false, "error": "unknown_method"})
}

// sendInteraction queues an interactive payload and waits for its ack; no ack within
// the deadline fails the test, as Slack would show the user an error.
func (s *Sim) sendInteraction(payload obj, what string) Ack {
	s.mu.Lock()
	env := s.enqueue("interactive", payload, "")
	s.mu.Unlock()
	a, ok := s.awaitAck(env)
	if !ok {
		s.errorf("%s: the app did not ack the interactive envelope within %v", what, s.opts.ackDeadline)
	}
	return a
}

// DeliverInteraction sends an interactive payload of any shape (for interactions no
// actor builds) and waits for the ack like the actors do.
func (s *Sim) DeliverInteraction(payload map[string]any) Ack {
	return s.sendInteraction(payload, "interaction")
}

// actionJSON is one entry of block_actions' actions.
func actionJSON(b button, ts string) obj {
	a := obj{
		"action_id": b.el.ActionID, "block_id": b.blockID, "type": "button",
		"value": b.el.Value, "action_ts": ts,
	}
	if b.el.Text != nil {
		a["text"] = obj{"type": "plain_text", "text": b.el.Text.Text, "emoji": true}
	}
	if b.el.Style != "" {
		a["style"] = b.el.Style
	}
	return a
}

// canSee reports whether the user sees the conversation: public channels, or a member.
func canSee(c *channelData, user string) bool {
	return !c.private || c.isMember(user)
}
