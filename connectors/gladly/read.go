package gladly

import (
	"context"
	"net/http"
	"net/url"
)

// The conversations, items and customer profiles the Processor reads (connectors.md
// §3.3), with only the fields it uses; unknown fields are ignored and every field may
// be missing.

// conversation is GET /conversations/{id}.
type conversation struct {
	ID         string `json:"id"`
	CustomerID string `json:"customerId"`
	AgentID    string `json:"agentId"`
	InboxID    string `json:"inboxId"`
	Status     string `json:"status"`
}

// profile is GET /customer-profiles/{id}. Only emails[].original and phones[].original
// are confirmed; name and externalCustomerId are expected.
type profile struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	ExternalCustomerID string `json:"externalCustomerId"`
	Emails             []struct {
		Original string `json:"original"`
	} `json:"emails"`
	Phones []struct {
		Original string `json:"original"`
	} `json:"phones"`
}

func (c *Client) conversation(ctx context.Context, id string) (*conversation, error) {
	var conv conversation
	_, err := c.call(ctx, http.MethodGet, "gladly: reading the conversation", "conversations/"+url.PathEscape(id), nil, &conv)
	if err != nil {
		return nil, err
	}
	return &conv, nil
}

func (c *Client) item(ctx context.Context, id string) (*item, error) {
	var it item
	_, err := c.call(ctx, http.MethodGet, "gladly: reading the message", "conversation-items/"+url.PathEscape(id), nil, &it)
	if err != nil {
		return nil, err
	}
	return &it, nil
}

func (c *Client) profile(ctx context.Context, customerID string) (*profile, error) {
	var p profile
	_, err := c.call(ctx, http.MethodGet, "gladly: reading the customer profile",
		"customer-profiles/"+url.PathEscape(customerID), nil, &p)
	if err != nil {
		return nil, err
	}
	return &p, nil
}
