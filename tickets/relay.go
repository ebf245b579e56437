package tickets

import "context"

// CustomerMessage takes a message the customer wrote in a source conversation. While the
// ticket is pending the message is kept with it (shown under the card and replayed into
// the inbox on pick); while it is active it goes to the inbox channel; either way in
// arrival order. A message whose SourceMessageID was taken before is accepted again but not
// relayed twice (added=false). Returns ErrInvalid, or ErrNotFound when the conversation has
// no open ticket.
func (s *Service) CustomerMessage(ctx context.Context, source, conversationID string, m Message) (_ *Ticket, added bool, err error) {
	if m.Direction == "" {
		m.Direction = FromCustomer
	}
	if m.Direction != FromCustomer {
		return nil, false, invalidf("a customer message must have direction %q", FromCustomer)
	}
	return s.SourceMessage(ctx, source, conversationID, m)
}

// SourceMessage takes a message written at the source: the customer's (Direction
// FromCustomer), or one an agent wrote in the source's own interface (FromSourceAgent,
// with Author naming them), which Slack shows marked as such and the source is never sent
// back. Otherwise as CustomerMessage.
func (s *Service) SourceMessage(ctx context.Context, source, conversationID string, m Message) (_ *Ticket, added bool, err error) {
	if m.Direction != FromCustomer && m.Direction != FromSourceAgent {
		return nil, false, invalidf("a message from the source must have direction %q or %q", FromCustomer, FromSourceAgent)
	}
	res, err := s.Inbound(ctx, Inbound{Source: source, ConversationID: conversationID, Messages: []Message{m}, WholeTicket: true})
	if err != nil {
		return nil, false, err
	}
	return res.Ticket, res.Added > 0, nil
}

// AgentMessage takes a message an agent wrote in an inbox channel: a top-level message
// (Direction FromAgent) goes to the customer, at most once per SourceMessageID (the Slack
// ts) and in the order taken; a thread reply (Direction Internal) is an internal note,
// kept with the ticket and never sent. Returns ErrInvalid, ErrNotFound (not an inbox
// channel), ErrClosed, or ErrNotActive (a reply while the ticket waits for a pick).
func (s *Service) AgentMessage(ctx context.Context, inboxChannel string, m Message) (_ InboxAdded, err error) {
	if m.Direction != FromAgent && m.Direction != Internal {
		return InboxAdded{}, invalidf("an agent message must have direction %q or %q", FromAgent, Internal)
	}
	if err := validAgent(m.Author); err != nil {
		return InboxAdded{}, err
	}
	if err := m.validate(); err != nil {
		return InboxAdded{}, err
	}
	s.stamp(&m)
	got, err := s.store.AddInboxMessage(ctx, inboxChannel, m)
	if err != nil {
		return InboxAdded{}, wrap("agent message", err)
	}
	if got.Added && m.Direction == FromAgent {
		s.obs.MessageRelayed(got.Source, m.Direction)
	}
	return got, nil
}

// RetryDelivery sends agent message messageID of ticket id to the customer again, after
// its delivery failed. Returns ErrInvalid, ErrNotFound (no such ticket or agent message),
// ErrClosed, or ErrNotActive (the ticket waits for a pick).
func (s *Service) RetryDelivery(ctx context.Context, id ID, messageID string, by Agent) (*Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	t, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, wrap("retry delivery", err)
	}
	switch t.Status {
	case StatusClosed:
		return nil, ErrClosed
	case StatusPending:
		return nil, ErrNotActive
	}
	msgs, err := s.store.Messages(ctx, id)
	if err != nil {
		return nil, wrap("retry delivery", err)
	}
	for _, m := range msgs {
		if m.ID == messageID && m.Direction == FromAgent {
			err := s.store.AddEvent(ctx, id, Event{Type: EventMessage, TicketID: id, At: s.now(), Actor: by, Message: &m, Resent: true})
			return t, wrap("retry delivery", err)
		}
	}
	return nil, ErrNotFound
}
