package gladly

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"
)

// The conversations, items and customer profiles the Processor reads
// (developer.gladly.com/rest; docs/gladly.md, "What is confirmed about Gladly's API"),
// with only the fields it uses; unknown fields are ignored and every field may be
// missing.

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

// maxMoves bounds how many merges a customer id is followed through.
const maxMoves = 3

// profile reads customer customerID's profile. A customer merged into another answers
// 301 with the new id (errors[].meta.new, or the Location header): it is followed, and
// the id the profile was found under (or last asked for) is returned with it.
func (c *Client) profile(ctx context.Context, customerID string) (*profile, string, error) {
	id := customerID
	for moves := 0; ; moves++ {
		var p profile
		_, err := c.call(ctx, http.MethodGet, "gladly: reading the customer profile",
			"customer-profiles/"+url.PathEscape(id), nil, &p)
		var moved *movedError
		if errors.As(err, &moved) && moves < maxMoves {
			next := moved.NewID
			if next == "" {
				next = idInLocation(moved.Location, "customer-profiles")
			}
			if next != "" && next != id && len(next) <= maxIDBytes {
				c.log.Info("the customer was merged into another: following", zap.String("customer", id), zap.String("to", next))
				id = next
				continue
			}
		}
		if err != nil {
			return nil, id, err
		}
		return &p, id, nil
	}
}

// idInLocation is the path segment after resource in a Location header
// (".../customer-profiles/{id}"), or "".
func idInLocation(location, resource string) string {
	u, err := url.Parse(location)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == resource {
			id, err := url.PathUnescape(parts[i+1])
			if err != nil {
				return ""
			}
			return id
		}
	}
	return ""
}
