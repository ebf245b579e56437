package webhook

import (
	"errors"
	"fmt"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The event types Frontdesk sends to the chatbot's callback URL.
const (
	typeAccepted     = "LIVE_CHAT_ACCEPTED"
	typeAgentMessage = "AGENT_MESSAGE"
	typeTransferred  = "LIVE_CHAT_TRANSFERRED"
	typeEnded        = "LIVE_CHAT_ENDED"
)

type agentJSON struct {
	Name string `json:"name"`
}

// eventHeader holds the fields every outbound event has.
type eventHeader struct {
	Type    string `json:"type"`
	EventID string `json:"event_id"`
	Ticket  int64  `json:"ticket"`
	Member  string `json:"member"`
	Channel string `json:"channel"`
	App     string `json:"app"`
}

type acceptedEvent struct {
	eventHeader
	Text  string     `json:"text"`
	Agent *agentJSON `json:"agent,omitempty"`
}

type agentMessageEvent struct {
	eventHeader
	MessageID   string       `json:"message_id"`
	Text        string       `json:"text"`
	Attachments []attachment `json:"attachments"`
	Agent       *agentJSON   `json:"agent,omitempty"`
}

// changedEvent tells the chatbot that an agent edited (Text) or deleted a message it
// had as AGENT_MESSAGE message_id.
type changedEvent struct {
	eventHeader
	MessageID string     `json:"message_id"`
	Text      string     `json:"text,omitempty"`
	Agent     *agentJSON `json:"agent,omitempty"`
}

type transferredEvent struct {
	eventHeader
	Label string `json:"label"`
}

type endedEvent struct {
	eventHeader
	Text      string `json:"text"`
	ResumeBot bool   `json:"resume_bot"`
	// RatingQuestion, when set, asks the customer to rate the chat: the chatbot sends the
	// answer back as a CSAT event.
	RatingQuestion string `json:"rating_question,omitempty"`
}

// errHandBack: this source has no desk of its own to take a chat back to.
var errHandBack = errors.New("webhook: the chatbot does not take chats back (hand-back is not offered for webhook tickets)")

// outboundEvent builds the event that tells the chatbot about out, with key as its
// event_id, and returns its type. Its errors will not go away on a retry.
func outboundEvent(t *tickets.Ticket, out tickets.Outbound, key string) (any, string, error) {
	app, channel, member, err := parseConversationID(t.ConversationID)
	if err != nil {
		return nil, "", fmt.Errorf("ticket %s: %w", t.ID, err)
	}
	h := eventHeader{EventID: key, Ticket: t.Number, Member: member, Channel: channel, App: app}
	switch out.Kind {
	case tickets.OutAccepted:
		h.Type = typeAccepted
		return acceptedEvent{eventHeader: h, Text: out.Text, Agent: agentOf(out)}, h.Type, nil
	case tickets.OutMessage:
		if out.Message == nil {
			return nil, "", fmt.Errorf("ticket %s: an agent message event without its message", t.ID)
		}
		h.Type = typeAgentMessage
		text := out.Text
		if text == "" {
			text = out.Message.Text
		}
		atts := make([]attachment, 0, len(out.Message.Attachments))
		for _, a := range out.Message.Attachments {
			atts = append(atts, attachment{URL: a.URL, Name: a.Name, MIME: a.MIME, Size: a.Size})
		}
		return agentMessageEvent{eventHeader: h, MessageID: out.Message.ID, Text: text, Attachments: atts, Agent: agentOf(out)}, h.Type, nil
	case tickets.OutEdited, tickets.OutDeleted:
		if out.Message == nil {
			return nil, "", fmt.Errorf("ticket %s: a change event without its message", t.ID)
		}
		if out.Kind == tickets.OutDeleted {
			h.Type = typeDeleted
			return changedEvent{eventHeader: h, MessageID: out.Message.ID}, h.Type, nil
		}
		h.Type = typeEdited
		return changedEvent{eventHeader: h, MessageID: out.Message.ID, Text: out.Message.Text, Agent: agentOf(out)}, h.Type, nil
	case tickets.OutTransferred:
		h.Type = typeTransferred
		return transferredEvent{eventHeader: h, Label: out.Team.Label}, h.Type, nil
	case tickets.OutEnded:
		h.Type = typeEnded
		return endedEvent{eventHeader: h, Text: out.Text, ResumeBot: true, RatingQuestion: out.RatingQuestion}, h.Type, nil
	case tickets.OutHandedBack:
		return nil, "", errHandBack
	}
	return nil, "", fmt.Errorf("webhook: unknown outbound kind %q", out.Kind)
}

// agentOf is who answers, when customers may see agents' names and the agent has one.
func agentOf(out tickets.Outbound) *agentJSON {
	if out.Agent == nil || out.Agent.Name == "" {
		return nil
	}
	return &agentJSON{Name: out.Agent.Name}
}
