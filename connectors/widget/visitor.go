package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Tickets is the part of the ticket service the widget uses (tickets.Service): the one
// inbound use case. It returns tickets.ErrInvalid, tickets.ErrNotConfigured, or
// tickets.ErrNotFound for a rating without a closed chat.
type Tickets interface {
	Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error)
}

var _ Tickets = (*tickets.Service)(nil)

// anonymous is the customer name of a visitor who gave none.
const anonymous = "Website visitor"

// message takes visitor's message f: into the open ticket, or a new one when there is
// none (the first message, or the first after the last chat ended). A message with the
// same f.ID is relayed once however often it is sent. It then appends the message to the
// visitor's feed and returns its seq.
func (w *Widget) message(ctx context.Context, visitor, origin string, f *frame) (string, error) {
	c := tickets.Customer{ID: visitor, Name: f.Name, Email: f.Email}
	if c.Name == "" {
		c.Name = anonymous
	}
	if origin != "" {
		c.Fields = map[string]string{"website": origin}
	}
	atts, err := w.attachments(ctx, visitor, f.Files)
	if err != nil {
		return "", err
	}
	_, err = w.tk.Inbound(ctx, tickets.Inbound{
		Source: Source, ConversationID: visitor, Request: &tickets.Request{Customer: c, Label: w.cfg.Label},
		Messages: []tickets.Message{{Direction: tickets.FromCustomer, Text: f.Text, Attachments: atts, SourceMessageID: f.ID}},
	})
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(item{Kind: kindVisitor, ID: f.ID, Text: f.Text, Attachments: attachmentsOf(atts), At: w.now()})
	if err != nil {
		return "", err
	}
	seq, _, err := w.feed.Append(ctx, visitor, "v/"+f.ID, data)
	if err != nil {
		return "", fmt.Errorf("widget: append the visitor's message: %w", err)
	}
	return seq, nil
}

// rate records the visitor's rating of their last chat and appends a rated item.
func (w *Widget) rate(ctx context.Context, visitor string, f *frame) error {
	res, err := w.tk.Inbound(ctx, tickets.Inbound{Source: Source, ConversationID: visitor,
		Rating: &tickets.Rating{Stars: f.Rating, Comment: f.Comment}})
	if err != nil {
		return err
	}
	data, err := json.Marshal(item{Kind: kindRated, Rating: f.Rating, At: w.now()})
	if err != nil {
		return err
	}
	_, _, err = w.feed.Append(ctx, visitor, fmt.Sprintf("r/%s/%d", res.State.ID, w.now().UnixNano()), data)
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
