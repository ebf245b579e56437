package tickets

import "context"

// OpenRequest is a live chat request from a source: a customer wants a human.
type OpenRequest struct {
	Source         string
	ConversationID string
	Customer       Customer
	// Label names the team to route to; unknown or empty → the default team.
	Label   string
	Summary string
	// First is the customer's message that came with the request, if any.
	First *Message
	// Raw is the source's request as it came, kept on the ticket (at most MaxRawBytes).
	Raw string
	// History is the conversation before the request (Request.History).
	History []HistoryLine
}

// MaxRawBytes bounds OpenRequest.Raw.
const MaxRawBytes = 64 << 10

// MaxOpeningBytes bounds Ticket.Opening.
const MaxOpeningBytes = 500

// Limits on a request.
const (
	maxCustomerFields = 100
	maxFieldBytes     = 2000
	maxSummaryBytes   = 4000
)

// ValidSource reports whether s can name a source (a connector, e.g. "webhook" or
// "chatra"): 1 to 64 of lowercase letters, digits, '-' and '_'. Stores rely on a source
// name holding no other character.
func ValidSource(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Open opens a ticket for a live chat request, pending in the team its label names,
// with req.First as its opening message; while a ticket is open for the conversation,
// that ticket comes back with created=false and First is added to it like any message.
// It is Inbound with a Request. A first message that rates the conversation's chat an
// agent just ended (see RatingWindow) opens nothing: it is recorded as that ticket's CSAT
// and Open returns it with ErrRated. Returns ErrInvalid, or ErrNotConfigured when there
// is no ticketing channel to route to.
func (s *Service) Open(ctx context.Context, req OpenRequest) (_ *Ticket, created bool, err error) {
	in := Inbound{Source: req.Source, ConversationID: req.ConversationID, WholeTicket: true, Request: &Request{
		Customer: req.Customer, Label: req.Label, Summary: req.Summary, Raw: req.Raw, History: req.History,
	}}
	if req.First != nil {
		if req.First.Direction != "" && req.First.Direction != FromCustomer {
			return nil, false, invalidf("the first message must come from the customer")
		}
		in.Messages = []Message{*req.First}
	}
	res, err := s.Inbound(ctx, in)
	if err != nil {
		return nil, false, err
	}
	if res.Rated {
		return res.Ticket, false, ErrRated
	}
	return res.Ticket, res.Opened, nil
}
