package slacktest

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"
	"time"
)

// DeliverEvent sends an Events API event (the inner "event" object, e.g. {"type":
// "reaction_added", …}) to the app in the real outer wrapper, for events no actor
// builds. It returns the envelope; the ack is not awaited.
func (s *Sim) DeliverEvent(event map[string]any) *Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendEvent(event)
}

// sendEvent wraps an inner event as Slack does and queues it. Call with s.mu held.
func (s *Sim) sendEvent(event obj) *Envelope {
	id := s.ids.eventID()
	now := time.Now()
	ctx, _ := json.Marshal(obj{"tid": TeamID, "aid": AppID, "eid": id})
	payload := obj{
		"token": "sim-verification-token", "team_id": TeamID, "context_team_id": TeamID,
		"context_enterprise_id": nil, "api_app_id": AppID, "event": event,
		"type": "event_callback", "event_id": id, "event_time": now.Unix(),
		"authorizations": []obj{{
			"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + base64.RawURLEncoding.EncodeToString(ctx),
	}
	channel, _ := event["channel"].(string)
	if item, ok := event["item"].(obj); ok && channel == "" {
		channel, _ = item["channel"].(string) // reaction_added
	}
	if c := s.channels[channel]; c != nil && len(c.shared) > 0 {
		payload["is_ext_shared_channel"] = true
	}
	return s.enqueue("events_api", payload, id)
}

// subscribed reports whether the app gets the event (see WithBotEvents).
func (s *Sim) subscribed(name string) bool {
	return s.opts.botEvents == nil || s.opts.botEvents[name]
}

// sendMessageEvent delivers a message event for m if the bot is in the channel and
// subscribed to that kind of channel. Call with s.mu held.
func (s *Sim) sendMessageEvent(c *channelData, m *msgData) *Envelope {
	if !c.isMember(BotUserID) || !s.subscribed("message."+eventChannelKind(c)) {
		return nil
	}
	ev := m.json()
	ev["channel"] = c.id
	ev["channel_type"] = c.channelType()
	ev["event_ts"] = m.ts
	if len(c.shared) > 0 && m.user != "" {
		// In a shared channel a message says whose organisation its author is of (see
		// External).
		ev["user_team"], ev["source_team"] = ev["team"], ev["team"]
	}
	delete(ev, "reactions")
	return s.sendEvent(ev)
}

// sendAppMention delivers the app_mention event of a person's message that mentions the
// bot, in a channel the bot is in (not a DM), when the app subscribes to it: the fields of
// https://docs.slack.dev/reference/events/app_mention's example, with thread_ts on a
// thread reply and the message's blocks and client_msg_id as Slack's clients send them.
// Call with s.mu held.
func (s *Sim) sendAppMention(c *channelData, m *msgData) {
	if m.user == "" || m.user == BotUserID || m.botID != "" || c.channelType() == "im" || !c.isMember(BotUserID) ||
		!s.subscribed("app_mention") || !strings.Contains(m.text, "<@"+BotUserID+">") {
		return
	}
	full := m.json()
	ev := obj{"type": "app_mention", "user": m.user, "text": m.text, "ts": m.ts, "channel": c.id, "event_ts": m.ts}
	for _, k := range []string{"blocks", "client_msg_id", "team"} {
		if v, ok := full[k]; ok {
			ev[k] = v
		}
	}
	if m.threadTS != "" && m.threadTS != m.ts {
		ev["thread_ts"] = m.threadTS
	}
	s.sendEvent(ev)
}

func eventChannelKind(c *channelData) string {
	switch c.channelType() {
	case "im":
		return "im"
	case "group":
		return "groups"
	default:
		return "channels"
	}
}

// sendMessageChanged delivers the message_changed event of an edit. Call with s.mu held.
func (s *Sim) sendMessageChanged(c *channelData, before, after *msgData) {
	s.sendHiddenMessage(c, "message_changed", obj{"message": after.eventJSON(), "previous_message": before.eventJSON()})
}

// sendHiddenMessage delivers a hidden message event of subtype about c (message_changed,
// message_deleted) with fields, if the bot is in c and subscribed to its kind of channel.
// Call with s.mu held.
func (s *Sim) sendHiddenMessage(c *channelData, subtype string, fields obj) {
	if !c.isMember(BotUserID) || !s.subscribed("message."+eventChannelKind(c)) {
		return
	}
	ts := s.ids.ts()
	ev := obj{"type": "message", "subtype": subtype, "hidden": true,
		"channel": c.id, "channel_type": c.channelType(), "ts": ts, "event_ts": ts}
	maps.Copy(ev, fields)
	s.sendEvent(ev)
}

// eventJSON is the message as events carry it: without its reactions.
func (m *msgData) eventJSON() obj {
	o := m.json()
	delete(o, "reactions")
	return o
}

// sendMemberJoined delivers member_joined_channel. Call with s.mu held.
func (s *Sim) sendMemberJoined(c *channelData, user, inviter string) {
	if !c.isMember(BotUserID) || !s.subscribed("member_joined_channel") {
		return
	}
	ev := obj{
		"type": "member_joined_channel", "user": user, "channel": c.id,
		"channel_type": map[bool]string{true: "G", false: "C"}[c.private],
		"team":         TeamID, "event_ts": s.ids.ts(),
	}
	if inviter != "" {
		ev["inviter"] = inviter
	}
	s.sendEvent(ev)
}

// sendMemberLeft delivers member_left_channel. Call with s.mu held.
func (s *Sim) sendMemberLeft(c *channelData, user string) {
	if !c.isMember(BotUserID) || !s.subscribed("member_left_channel") {
		return
	}
	s.sendEvent(obj{
		"type": "member_left_channel", "user": user, "channel": c.id,
		"channel_type": map[bool]string{true: "G", false: "C"}[c.private],
		"team":         TeamID, "event_ts": s.ids.ts(),
	})
}
