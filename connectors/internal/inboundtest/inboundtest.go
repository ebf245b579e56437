// Package inboundtest helps the connectors' unit tests fake the ticket service's one
// inbound use case (tickets.Service.Inbound): Apply carries an Inbound out on a fake
// written as the service's finer steps, in the order and with the outcomes the service
// gives. End-to-end tests run the real service; this is for a connector's own tests.
package inboundtest

import (
	"context"
	"errors"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Steps is a fake ticket service as steps: open a ticket for a request (returning the
// conversation's open ticket with created=false), add a source's message to the open
// ticket (added=false for a repeat; tickets.ErrNotFound without one), close it
// (tickets.ErrNotFound without one) and rate the latest closed one (tickets.ErrNotFound
// without one).
type Steps interface {
	Open(ctx context.Context, req tickets.OpenRequest) (*tickets.Ticket, bool, error)
	SourceMessage(ctx context.Context, source, conversationID string, m tickets.Message) (*tickets.Ticket, bool, error)
	SourceClosed(ctx context.Context, source, conversationID, reason string) (*tickets.Ticket, error)
	Rate(ctx context.Context, source, conversationID string, rating int, comment string) (*tickets.Ticket, error)
}

// Apply carries in out on s as tickets.Service.Inbound does: a rating alone; else a
// request opens a ticket with the first customer message as its opening message unless
// one is open, every other message is added in order, and a close closes the ticket.
// A message's direction defaults to FromCustomer. It checks no more of in than s does.
func Apply(ctx context.Context, s Steps, in tickets.Inbound) (tickets.InboundResult, error) {
	var res tickets.InboundResult
	if in.Rating != nil {
		t, err := s.Rate(ctx, in.Source, in.ConversationID, in.Rating.Stars, in.Rating.Comment)
		if err != nil {
			return res, err
		}
		return tickets.InboundResult{Ticket: t, Rated: true}, nil
	}
	msgs := make([]tickets.Message, len(in.Messages))
	first := -1
	for i, m := range in.Messages {
		if m.Direction == "" {
			m.Direction = tickets.FromCustomer
		}
		if first < 0 && m.Direction == tickets.FromCustomer {
			first = i
		}
		msgs[i] = m
	}
	if in.Request != nil {
		req := tickets.OpenRequest{Source: in.Source, ConversationID: in.ConversationID, Customer: in.Request.Customer,
			Label: in.Request.Label, Summary: in.Request.Summary, Raw: in.Request.Raw}
		if first >= 0 {
			req.First = &msgs[first]
		}
		t, created, err := s.Open(ctx, req)
		if errors.Is(err, tickets.ErrRated) {
			return tickets.InboundResult{Ticket: t, Rated: true}, nil
		}
		if err != nil {
			return res, err
		}
		res.Ticket, res.Opened = t, created
		if created && first >= 0 {
			res.Added++
		}
	}
	for i, m := range msgs {
		if res.Opened && i == first {
			continue // it came with the request
		}
		t, added, err := s.SourceMessage(ctx, in.Source, in.ConversationID, m)
		if err != nil {
			return res, err
		}
		res.Ticket = t
		if added {
			res.Added++
		}
	}
	if in.Close != nil {
		reason := in.Close.Reason
		if reason == "" {
			reason = "closed by " + in.Source
		}
		t, err := s.SourceClosed(ctx, in.Source, in.ConversationID, reason)
		if err != nil {
			return res, err
		}
		res.Ticket, res.Closed = t, true
	}
	return res, nil
}
