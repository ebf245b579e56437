package chatra

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// handle hands the event to the ticket service.
func (h *Handler) handle(ctx context.Context, p *payload, body []byte) (result, error) {
	switch p.event {
	case eventStarted, eventFragment:
		return h.relay(ctx, p, h.raw(p, body))
	case eventTranscript:
		return h.reconcile(ctx, p)
	}
	h.log.Debug("event ignored", zap.String("event", tickets.Clip(p.event, 40)))
	return result{Ignored: "event"}, nil
}

// raw is the body to keep on a new ticket: all of it, or nothing when it is too large
// (a clipped body would not be JSON any more).
func (h *Handler) raw(p *payload, body []byte) string {
	if len(body) > tickets.MaxRawBytes {
		h.log.Info("raw payload too large to keep on the ticket", zap.String("event", p.event),
			zap.String("conversation", p.clientID), zap.Int("bytes", len(body)), zap.Int("max", tickets.MaxRawBytes))
		return ""
	}
	return string(body)
}

// relayable returns the webhook's messages worth relaying, in order: all but empty ones,
// other types, and the echoes marked with our receivedFrom. Echoes known by their id are
// left for relayMessage to drop, so that the id is asked about only just before relaying.
func (h *Handler) relayable(p *payload) []message {
	var msgs []message
	for _, m := range p.messages {
		if m.relayable(h.marker) {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

// relay takes a chatStarted or a chatFragment: it opens the chat's ticket unless one is
// open (a fragment without a ticket is taken as a start: Chatra may have sent the start
// before Frontdesk was set up, or while it was down) and relays the messages in order.
func (h *Handler) relay(ctx context.Context, p *payload, raw string) (result, error) {
	msgs := h.relayable(p)
	ours := newEchoes(h.sent) // one for both tries: an id is asked about once
	res, err := h.relayOnce(ctx, p, msgs, raw, ours)
	if errors.Is(err, tickets.ErrNotFound) {
		// The ticket closed between Open and a message (an agent ended it): the chat goes
		// on in Chatra, so it gets a new ticket, as when the visitor writes again.
		res, err = h.relayOnce(ctx, p, msgs, raw, ours)
	}
	return res, err
}

// relayMessage relays m (with SourceMessageID id) unless it is the echo of a message
// Frontdesk sent, known by its id: then it returns a nil ticket, added=false and no
// error. added is false for a repeat too.
func (h *Handler) relayMessage(ctx context.Context, p *payload, m message, id string, ours *echoes) (*tickets.Ticket, bool, error) {
	echo, err := ours.ours(ctx, m)
	if err != nil {
		return nil, false, fmt.Errorf("chatra: is message %s ours: %w", tickets.Clip(m.id, 64), err)
	}
	if echo {
		h.log.Debug("echo dropped", zap.String("conversation", p.clientID), zap.String("chatra_id", tickets.Clip(m.id, 64)))
		return nil, false, nil
	}
	return h.tk.SourceMessage(ctx, Source, p.clientID, m.ticketMessage(id, p.agents, h.now()))
}

func (h *Handler) relayOnce(ctx context.Context, p *payload, msgs []message, raw string, ours *echoes) (result, error) {
	ids := sourceIDs(msgs, nil)
	req := tickets.OpenRequest{
		Source: Source, ConversationID: p.clientID, Customer: p.customer(), Label: h.label(p), Raw: raw,
	}
	first := -1
	for i, m := range msgs {
		if m.kind == typeClient {
			first = i
			fm := m.ticketMessage(ids[i], p.agents, h.now())
			req.First = &fm
			break
		}
	}
	t, created, err := h.tk.Open(ctx, req)
	if errors.Is(err, tickets.ErrRated) {
		return result{Ticket: t.Number}, nil // the visitor rated their last chat
	}
	if err != nil {
		return result{}, err
	}
	res := result{Ticket: t.Number}
	if created && first >= 0 {
		res.Added++
	}
	if !created && p.event == eventFragment && needPrior(msgs) {
		known, err := h.tk.Transcript(ctx, t.ID)
		if err != nil {
			return res, err
		}
		have := make([]string, 0, len(known))
		for _, m := range known {
			have = append(have, m.SourceMessageID)
		}
		ids = sourceIDs(msgs, highestN(have))
	}
	for i, m := range msgs {
		if created && i == first {
			continue // it came with Open
		}
		_, added, err := h.relayMessage(ctx, p, m, ids[i], ours)
		if err != nil {
			return res, err
		}
		if added {
			res.Added++
		}
	}
	return res, nil
}

// needPrior reports whether an id of msgs depends on what the ticket already has: a
// fragment's message with neither an id nor a timestamp (see sourceIDs).
func needPrior(msgs []message) bool {
	for _, m := range msgs {
		if m.id == "" && m.at == "" {
			return true
		}
	}
	return false
}

// reconcile takes a chatTranscript: the whole chat, sent once it ended or went idle.
// Every message is relayed again in order; those Frontdesk has already relayed are
// dropped by their ids, so only the gaps (a lost fragment) are filled. Then, when the
// chat is over (see payload.chatOver), the ticket closes; if the visitor writes again,
// their message opens a new ticket. Without an open ticket nothing is done: the
// transcript does not open one, since the chat is over.
func (h *Handler) reconcile(ctx context.Context, p *payload) (result, error) {
	msgs := h.relayable(p)
	ids := sourceIDs(msgs, nil)
	ours := newEchoes(h.sent)
	var res result
	for i, m := range msgs {
		t, added, err := h.relayMessage(ctx, p, m, ids[i], ours)
		if err == nil && t == nil {
			continue // our own echo
		}
		if errors.Is(err, tickets.ErrNotFound) {
			if res.Ticket == 0 {
				return result{Ignored: "no_open_ticket"}, nil
			}
			return res, nil // an agent closed it meanwhile: nothing left to do
		}
		if err != nil {
			return res, err
		}
		res.Ticket = t.Number
		if added {
			res.Added++
		}
	}
	if !p.chatOver() {
		return res, nil
	}
	t, err := h.tk.SourceClosed(ctx, Source, p.clientID, closeReason)
	if errors.Is(err, tickets.ErrNotFound) {
		if res.Ticket == 0 {
			res.Ignored = "no_open_ticket"
		}
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Ticket, res.Closed = t.Number, true
	return res, nil
}

// label is the ticketing channel label for the chat's Chatra group: the mapped one, else
// the default ("" lets the ticket service pick its default team).
func (h *Handler) label(p *payload) string {
	if l, ok := h.groups[p.groupID()]; ok {
		return l
	}
	return h.defaultLabel
}
