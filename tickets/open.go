package tickets

import (
	"context"
	"strings"
	"unicode/utf8"
)

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
}

// MaxRawBytes bounds OpenRequest.Raw.
const MaxRawBytes = 64 << 10

// MaxOpeningBytes bounds Ticket.Opening.
const MaxOpeningBytes = 500

// Clip shortens s to at most max bytes, cutting at a word boundary where one is near and
// marking the cut with "…" (which counts towards max). It never splits a UTF-8 character.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	cut := max - len(ellipsis)
	if cut <= 0 {
		return ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexAny(s[:cut], " \n\t"); sp > cut*3/4 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " \n\t") + ellipsis
}

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

func (r *OpenRequest) validate() error {
	if !ValidSource(r.Source) {
		return invalidf("source %q must be lowercase letters, digits, '-' or '_'", r.Source)
	}
	if strings.TrimSpace(r.ConversationID) == "" {
		return invalidf("conversation id is required")
	}
	if len(r.Source) > maxIDBytes || len(r.ConversationID) > maxIDBytes {
		return invalidf("source or conversation id is longer than %d bytes", maxIDBytes)
	}
	if len(r.Raw) > MaxRawBytes {
		return invalidf("raw payload is %d bytes, more than %d", len(r.Raw), MaxRawBytes)
	}
	if len(r.Summary) > maxSummaryBytes {
		return invalidf("summary is longer than %d bytes", maxSummaryBytes)
	}
	c := r.Customer
	if len(c.Fields) > maxCustomerFields {
		return invalidf("customer has %d fields, more than %d", len(c.Fields), maxCustomerFields)
	}
	for _, v := range []string{c.ID, c.Name, c.Email, c.Phone} {
		if len(v) > maxFieldBytes {
			return invalidf("a customer field is longer than %d bytes", maxFieldBytes)
		}
	}
	for k, v := range c.Fields {
		if k == "" || len(k) > maxFieldBytes || len(v) > maxFieldBytes {
			return invalidf("customer field %q is empty or longer than %d bytes", k, maxFieldBytes)
		}
	}
	if r.First != nil {
		if r.First.Direction == "" {
			r.First.Direction = FromCustomer
		}
		if r.First.Direction != FromCustomer {
			return invalidf("the first message must come from the customer")
		}
		if err := r.First.validate(); err != nil {
			return err
		}
	}
	return nil
}

// Open opens a ticket for a live chat request, pending in the team its label names. It is
// idempotent per source conversation: while a ticket is open for it, that ticket comes back
// with created=false and nothing changes. A first message that rates the conversation's
// chat an agent just ended (see RatingWindow) opens nothing: it is recorded as that
// ticket's CSAT and Open returns it with ErrRated. Returns ErrInvalid, or
// ErrNotConfigured when there is no ticketing channel to route to.
func (s *Service) Open(ctx context.Context, req OpenRequest) (_ *Ticket, created bool, err error) {
	if err := req.validate(); err != nil {
		return nil, false, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, false, err
	}
	if s.rating > 0 && req.First != nil {
		if rating, ok := ParseRating(req.First.Text); ok {
			t, err := s.rateByReply(ctx, req, rating)
			if t != nil || err != nil {
				return t, false, wrap("open", err)
			}
		}
	}
	team, ok := st.route(req.Label)
	if !ok {
		return nil, false, ErrNotConfigured
	}
	now := s.now()
	t := &Ticket{
		Source:         req.Source,
		ConversationID: req.ConversationID,
		Customer:       req.Customer,
		Summary:        req.Summary,
		Raw:            req.Raw,
		Team:           team,
		Status:         StatusPending,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if req.First != nil {
		first := *req.First
		s.stamp(&first)
		req.First = &first
		t.Opening = Clip(first.Text, MaxOpeningBytes)
		t.Title = DeriveTitle(first.Text)
	}
	got, created, err := s.store.Open(ctx, t, req.First)
	if err != nil {
		return nil, false, wrap("open", err)
	}
	if created {
		s.obs.TicketOpened(got)
	}
	if sla, ok := s.sources[req.Source].(SLAHandBacker); ok && created && sla.TakesChatsBack() {
		if d := sla.HandBackAfter(); d > 0 {
			at := got.CreatedAt.Add(d)
			ev := Event{Type: EventSLA, TicketID: got.ID, At: at}
			if err := s.store.Schedule(ctx, got.ID, ev, at); err != nil {
				return nil, false, wrap("open: schedule the SLA", err)
			}
		}
	}
	return got, created, nil
}
