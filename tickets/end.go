package tickets

import (
	"context"
)

// maxReasonBytes bounds a close reason.
const maxReasonBytes = 2000

// End closes a live chat from Slack: the card shows who closed it, the customer gets the
// "ended" message and the source is told to resume its own bot. Returns ErrInvalid,
// ErrNotFound, or ErrClosed when it was closed already.
func (s *Service) End(ctx context.Context, id ID, by Agent, reason string) (*Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	if len(reason) > maxReasonBytes {
		return nil, invalidf("reason is longer than %d bytes", maxReasonBytes)
	}
	t, err := s.store.Close(ctx, id, Closing{By: by, Reason: reason, At: s.now()})
	s.observeClose(t, err)
	return t, wrap("end", err)
}

// SourceClosed closes the open ticket of a source conversation because the source ended
// it (the customer left, or the source's bot took the chat back); the source is not told
// again. Returns ErrInvalid or ErrNotFound when the conversation has no open ticket.
func (s *Service) SourceClosed(ctx context.Context, source, conversationID, reason string) (*Ticket, error) {
	res, err := s.Inbound(ctx, Inbound{Source: source, ConversationID: conversationID, Close: &SourceClose{Reason: reason}, WholeTicket: true})
	if err != nil {
		return nil, err
	}
	return res.Ticket, nil
}

// CanHandBack reports whether t's source can take the chat back (see HandBacker).
func (s *Service) CanHandBack(t *Ticket) bool {
	hb, ok := s.sources[t.Source].(HandBacker)
	return ok && hb.TakesChatsBack()
}

// HandBack closes a live chat by giving it back to its source's own desk (e.g. a
// helpdesk's human inbox): the card shows who did it, the source is asked to take the
// conversation, and the customer gets no "ended" message, since the chat goes on there.
// Returns ErrInvalid (also when the source cannot take chats back), ErrNotFound or
// ErrClosed.
func (s *Service) HandBack(ctx context.Context, id ID, by Agent, reason string) (*Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	if len(reason) > maxReasonBytes {
		return nil, invalidf("reason is longer than %d bytes", maxReasonBytes)
	}
	t, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, wrap("hand back", err)
	}
	if !s.CanHandBack(t) {
		return nil, invalidf("%s cannot take chats back", t.Source)
	}
	why := "handed back to " + t.Source
	if reason != "" {
		why += ": " + reason
	}
	t, err = s.store.Close(ctx, id, Closing{By: by, Reason: why, HandBack: true, At: s.now()})
	s.observeClose(t, err)
	return t, wrap("hand back", err)
}

// MaxCSATComment bounds a CSAT comment.
const MaxCSATComment = 2000

// Rate records the customer's rating (1 to 5, and an optional comment) of the latest
// closed chat of a source conversation; rating again replaces it. Returns ErrInvalid, or
// ErrNotFound when the conversation has no closed ticket.
func (s *Service) Rate(ctx context.Context, source, conversationID string, rating int, comment string) (*Ticket, error) {
	return s.rate(ctx, source, conversationID, "", rating, comment)
}

// RateAs is Rate by customer customerID, who must be the one the ticket is for: where
// others see the rating question too (a customer channel's thread), only the requester's
// answer counts. Returns ErrNotRequester for anyone else, and changes nothing.
func (s *Service) RateAs(ctx context.Context, source, conversationID, customerID string, rating int) (*Ticket, error) {
	if customerID == "" {
		return nil, invalidf("rating needs the customer's id")
	}
	return s.rate(ctx, source, conversationID, customerID, rating, "")
}

// rate is Rate, by customerID when it is not "".
func (s *Service) rate(ctx context.Context, source, conversationID, customerID string, rating int, comment string) (*Ticket, error) {
	if rating < 1 || rating > 5 {
		return nil, invalidf("rating must be 1 to 5, not %d", rating)
	}
	if len(comment) > MaxCSATComment {
		return nil, invalidf("comment is longer than %d bytes", MaxCSATComment)
	}
	t, err := s.store.FindLastClosed(ctx, source, conversationID)
	if err != nil {
		return nil, wrap("rate", err)
	}
	if customerID != "" && t.Customer.ID != customerID {
		return nil, ErrNotRequester
	}
	c := CSAT{Rating: rating, Comment: comment, At: s.now()}
	if err := s.store.Rate(ctx, t.ID, c); err != nil {
		return nil, wrap("rate", err)
	}
	t.CSAT = &c
	return t, nil
}
