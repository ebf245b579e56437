package gladly

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Conversation items, and the calls that answer customers and change conversations
// (connectors.md §3.3). Read resources have only the fields Frontdesk uses; unknown
// fields are ignored and every field may be missing.

// Conversation statuses.
const (
	statusOpen   = "OPEN"
	statusClosed = "CLOSED"
)

// initiatorCustomer is the initiator type of items the customer wrote.
const initiatorCustomer = "CUSTOMER"

// item is a conversation item: GET /conversation-items/{id}, and each element of GET
// /conversations/{id}/items.
type item struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversationId"`
	CustomerID     string `json:"customerId"`
	Timestamp      string `json:"timestamp"`
	Initiator      struct {
		ID   string `json:"id"`
		Type string `json:"type"` // CUSTOMER, AGENT, API, AUTOMATION, SYSTEM, ...
	} `json:"initiator"`
	Content itemContent `json:"content"`
}

// itemContent is an item's content. Messages carry their text in Content (chat, SMS,
// email, WhatsApp, Messenger, Instagram); notes and a few other types in Body.
type itemContent struct {
	Type        string           `json:"type"`
	Content     string           `json:"content"`
	Body        string           `json:"body"`
	Subject     string           `json:"subject"`
	Attachments []itemAttachment `json:"attachments"`
}

// itemAttachment is a file on an item. Its content is behind the API's Basic auth
// (GET /conversation-items/{item}/attachments/{id}), so it cannot be linked for agents.
type itemAttachment struct {
	ID          string `json:"id"`
	ContentType string `json:"contentType"`
	Filename    string `json:"filename"`
}

// at is when the item happened; zero when unknown.
func (it *item) at() time.Time {
	t, err := time.Parse(time.RFC3339Nano, it.Timestamp)
	if err != nil {
		return time.Time{}
	}
	return t
}

// items returns the conversation's timeline, oldest first, and whether Gladly left items
// out (it returns at most 1000 and says so in the Gladly-Limited-Data header).
func (c *Client) items(ctx context.Context, conversationID string) (_ []item, limited bool, err error) {
	var its []item
	h, err := c.call(ctx, http.MethodGet, "gladly: listing the conversation's messages",
		"conversations/"+url.PathEscape(conversationID)+"/items", nil, &its)
	if err != nil {
		return nil, false, err
	}
	return its, strings.EqualFold(h.Get("Gladly-Limited-Data"), "true"), nil
}

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
