package gladly

import (
	"context"
	"net/http"
	"net/url"
)

// The calls that answer customers and change conversations (developer.gladly.com/rest; docs/gladly.md, "What is confirmed about Gladly's API").

// Conversation statuses.
const (
	statusOpen   = "OPEN"
	statusClosed = "CLOSED"
)

// replyContent is the content of POST /conversation-items/{id}/reply.
type replyContent struct {
	Type string `json:"type"`
	// MessageType is TEXT for chat messages; the other types do not have it.
	MessageType string `json:"messageType,omitempty"`
	// Body is the text; HTML for an email, whose text goes in BodyPlain as well.
	Body      string `json:"body"`
	BodyPlain string `json:"bodyPlain,omitempty"`
}

func (c *Client) reply(ctx context.Context, itemID string, rc replyContent) error {
	body := struct {
		Content replyContent `json:"content"`
	}{rc}
	_, err := c.call(ctx, http.MethodPost, "gladly: reply",
		"conversation-items/"+url.PathEscape(itemID)+"/reply", body, nil)
	return err
}

func (c *Client) addTopics(ctx context.Context, conversationID string, topicIDs []string) error {
	body := struct {
		TopicIDs []string `json:"topicIds"`
	}{topicIDs}
	_, err := c.call(ctx, http.MethodPost, "gladly: adding the topics",
		"conversations/"+url.PathEscape(conversationID)+"/topics", body, nil)
	return err
}

// conversationUpdate is PATCH /conversations/{id}. A nil Assignee or Status is left out;
// a nil AgentID is sent as null, which unassigns the agent.
type conversationUpdate struct {
	Assignee *assigneeUpdate `json:"assignee,omitempty"`
	Status   *statusUpdate   `json:"status,omitempty"`
}

type assigneeUpdate struct {
	InboxID string  `json:"inboxId"`
	AgentID *string `json:"agentId"`
}

type statusUpdate struct {
	Value string `json:"value"`
	Force bool   `json:"force"`
}

// updateConversation sends u; what names the change in errors ("gladly: closing").
func (c *Client) updateConversation(ctx context.Context, what, id string, u conversationUpdate) error {
	_, err := c.call(ctx, http.MethodPatch, what, "conversations/"+url.PathEscape(id), u, nil)
	return err
}
