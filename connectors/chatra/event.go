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
// before Frontdesk was set up, or while it was down) and relays the messages in order,
// all in one Inbound. Only when a fragment's message has neither an id nor a time does it
// need the ticket's transcript first (msgid.go), and so a first Inbound that only opens.
func (h *Handler) relay(ctx context.Context, p *payload, raw string) (result, error) {
	msgs, err := h.notOurs(ctx, p, h.relayable(p))
	if err != nil {
		return result{}, err
	}
	in := tickets.Inbound{Source: Source, ConversationID: p.clientID,
		Request: &tickets.Request{Customer: p.customer(), Label: h.label(p), Raw: raw}}
	var prior func(hash string) int
	if p.event == eventFragment && needPrior(msgs) {
		opened, err := h.tk.Inbound(ctx, in)
		if err != nil {
			return result{}, err
		}
		known, err := h.tk.Transcript(ctx, opened.State.ID)
		if err != nil {
			return result{}, err
		}
		have := make([]string, 0, len(known))
		for _, m := range known {
			have = append(have, m.SourceMessageID)
		}
		prior = highestN(have)
	}
	ids := sourceIDs(msgs, prior)
	for i, m := range msgs {
		in.Messages = append(in.Messages, m.ticketMessage(ids[i], p.agents, h.now()))
	}
	res, err := h.tk.Inbound(ctx, in)
	if err != nil {
		return result{}, err
	}
	if res.Rated {
		return result{Ticket: res.State.Number}, nil // the visitor rated their last chat
	}
	return result{Ticket: res.State.Number, Added: res.Added}, nil
}

// notOurs returns msgs without the echoes of messages Frontdesk sent, known by their ids.
func (h *Handler) notOurs(ctx context.Context, p *payload, msgs []message) ([]message, error) {
	ours := newEchoes(h.sent)
	out := msgs[:0:0]
	for _, m := range msgs {
		echo, err := ours.ours(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("chatra: is message %s ours: %w", tickets.Clip(m.id, 64), err)
		}
		if echo {
			h.log.Debug("echo dropped", zap.String("conversation", p.clientID), zap.String("chatra_id", tickets.Clip(m.id, 64)))
			continue
		}
		out = append(out, m)
	}
	return out, nil
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
	msgs, err := h.notOurs(ctx, p, h.relayable(p))
	if err != nil {
		return result{}, err
	}
	in := tickets.Inbound{Source: Source, ConversationID: p.clientID}
	ids := sourceIDs(msgs, nil)
	for i, m := range msgs {
		in.Messages = append(in.Messages, m.ticketMessage(ids[i], p.agents, h.now()))
	}
	if p.chatOver() {
		in.Close = &tickets.SourceClose{Reason: closeReason}
	}
	if len(in.Messages) == 0 && in.Close == nil {
		return result{Ignored: "nothing_to_relay"}, nil
	}
	res, err := h.tk.Inbound(ctx, in)
	if errors.Is(err, tickets.ErrNotFound) {
		return result{Ignored: "no_open_ticket"}, nil
	}
	if err != nil {
		return result{}, err
	}
	return result{Ticket: res.State.Number, Added: res.Added, Closed: res.Closed}, nil
}

// label is the ticketing channel label for the chat's Chatra group: the mapped one, else
// the default ("" lets the ticket service pick its default team).
func (h *Handler) label(p *payload) string {
	if l, ok := h.groups[p.groupID()]; ok {
		return l
	}
	return h.defaultLabel
}
