package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Tickets is the part of the ticket service the widget uses (tickets.Service).
type Tickets interface {
	// Open opens a ticket for a live chat request, or returns the conversation's open
	// ticket with created=false (and ignores First). Returns tickets.ErrInvalid,
	// tickets.ErrNotConfigured, or tickets.ErrRated when First rated the last chat.
	Open(ctx context.Context, req tickets.OpenRequest) (*tickets.Ticket, bool, error)
	// CustomerMessage relays a customer's message, at most once per SourceMessageID.
	// Returns tickets.ErrInvalid, or tickets.ErrNotFound when the conversation has no
	// open ticket.
	CustomerMessage(ctx context.Context, source, conversationID string, m tickets.Message) (*tickets.Ticket, bool, error)
	// Rate records the CSAT of the conversation's latest closed ticket. Returns
	// tickets.ErrInvalid, or tickets.ErrNotFound when it has none.
	Rate(ctx context.Context, source, conversationID string, rating int, comment string) (*tickets.Ticket, error)
}

var _ Tickets = (*tickets.Service)(nil)

// anonymous is the customer name of a visitor who gave none.
const anonymous = "Website visitor"

// message takes visitor's message f: into the open ticket, or a new one when there is
// none (the first message, or the first after the last chat ended). A message with the
// same f.ID is relayed once however often it is sent. It then appends the message to the
// visitor's feed and returns its seq.
func (w *Widget) message(ctx context.Context, visitor, origin string, f *frame) (string, error) {
	m := tickets.Message{Direction: tickets.FromCustomer, Text: f.Text, SourceMessageID: f.ID}
	_, _, err := w.tk.CustomerMessage(ctx, Source, visitor, m)
	if errors.Is(err, tickets.ErrNotFound) {
		err = w.open(ctx, visitor, origin, f, m)
	}
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(item{Kind: kindVisitor, ID: f.ID, Text: f.Text, At: w.now()})
	if err != nil {
		return "", err
	}
	seq, _, err := w.feed.Append(ctx, visitor, "v/"+f.ID, data)
	if err != nil {
		return "", fmt.Errorf("widget: append the visitor's message: %w", err)
	}
	return seq, nil
}

// open opens a ticket with m as its first message. When another message opened one
// meanwhile (Open then ignores First), m is relayed into that ticket instead.
func (w *Widget) open(ctx context.Context, visitor, origin string, f *frame, m tickets.Message) error {
	c := tickets.Customer{ID: visitor, Name: f.Name, Email: f.Email}
	if c.Name == "" {
		c.Name = anonymous
	}
	if origin != "" {
		c.Fields = map[string]string{"website": origin}
	}
	first := m
	_, created, err := w.tk.Open(ctx, tickets.OpenRequest{
		Source: Source, ConversationID: visitor, Customer: c, Label: w.cfg.Label, First: &first,
	})
	switch {
	case errors.Is(err, tickets.ErrRated):
		return nil // the message was a rating of the chat that just ended: taken as such
	case err != nil:
		return err
	case !created:
		_, _, err = w.tk.CustomerMessage(ctx, Source, visitor, m)
	}
	return err
}

// rate records the visitor's rating of their last chat and appends a rated item.
func (w *Widget) rate(ctx context.Context, visitor string, f *frame) error {
	t, err := w.tk.Rate(ctx, Source, visitor, f.Rating, f.Comment)
	if err != nil {
		return err
	}
	data, err := json.Marshal(item{Kind: kindRated, Rating: f.Rating, At: w.now()})
	if err != nil {
		return err
	}
	_, _, err = w.feed.Append(ctx, visitor, fmt.Sprintf("r/%s/%d", t.ID, w.now().UnixNano()), data)
	return err
}

// serviceError turns the ticket service's refusal into what the visitor is told; ok is
// false for an internal error (logged, and the visitor told to try again).
func serviceError(err error) (*frameError, bool) {
	var fe *frameError
	switch {
	case errors.As(err, &fe):
		return fe, true
	case errors.Is(err, tickets.ErrNotFound):
		return &frameError{Code: "no_chat", Msg: "there is no chat to rate"}, true
	case errors.Is(err, tickets.ErrInvalid):
		return &frameError{Code: "bad_request", Msg: "the message was refused"}, true
	case errors.Is(err, tickets.ErrNotConfigured):
		return &frameError{Code: "unavailable", Msg: "the chat is not available right now"}, true
	}
	return &frameError{Code: "internal", Msg: "something went wrong; please try again"}, false
}
