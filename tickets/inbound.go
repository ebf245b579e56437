package tickets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Inbound is what a source says happened in one of its conversations: the customer asks
// for a human (Request), messages were written (Messages), the source ended the chat
// (Close), or the customer rated it (Rating). It is the one use case every source calls:
// a connector decodes what its vendor sent into an Inbound and hands it to
// Service.Inbound, which applies it in one atomic step of the store.
type Inbound struct {
	Source         string
	ConversationID string
	// Request, when set, opens a ticket for the conversation unless one is open; the
	// first customer message of Messages is its opening message. Without it, Messages and
	// Close need an open ticket (ErrNotFound).
	Request *Request
	// Messages are the customer's messages (FromCustomer, the default) and those agents
	// wrote in the source's own interface (FromSourceAgent, with Author), in order. Each
	// is taken at most once per SourceMessageID and direction.
	Messages []Message
	// Close, when set, closes the open ticket after the messages: the source ended the
	// chat (the customer left, the source's bot took it back).
	Close *SourceClose
	// Rating is the customer's rating of the conversation's latest closed chat. It comes
	// alone: an Inbound with a Rating has no Request, Messages or Close.
	Rating *Rating
	// Changes are edits and deletions of messages the open ticket took before, in order.
	// They come alone too.
	Changes []MessageChange
	// WholeTicket asks for the whole ticket in InboundResult.Ticket even when the Inbound
	// neither opens, closes nor rates it.
	WholeTicket bool
}

// Request is a live chat request's details: who the customer is, where to route the
// chat, and what the source knows about it.
type Request struct {
	Customer Customer
	// Label names the team to route to; unknown or empty → the default team.
	Label   string
	Summary string
	// Raw is the source's request as it came, kept on the ticket (at most MaxRawBytes).
	Raw string
	// History is the conversation the source had with the customer before the request
	// (a chatbot's), oldest first; kept on a ticket the request opens (Ticket.History).
	History []HistoryLine
}

// SourceClose is why the source ended a chat ("closed by <source>" when empty).
type SourceClose struct {
	Reason string
}

// Rating is a customer's rating of a chat: 1 to 5 stars and an optional comment.
type Rating struct {
	Stars   int
	Comment string
}

// InboundResult is what came of an Inbound.
type InboundResult struct {
	// State is the ticket the Inbound went to, as it is after, in brief: the open one, or
	// with a Rating (or a first message read as one) the rated one.
	State TicketState
	// Ticket is that ticket whole when the Inbound opened, closed or rated it, or asked
	// for it (Inbound.WholeTicket); else nil: adding messages answers with State alone.
	Ticket *Ticket
	// Opened: the Request opened Ticket.
	Opened bool
	// Added counts the messages taken that were not taken before.
	Added int
	// Closed: the Close closed Ticket.
	Closed bool
	// Reopened: the Request reopened the conversation's closed ticket (its team's reopen
	// window) rather than open a new one.
	Reopened bool
	// Rated: a rating was recorded on Ticket, the conversation's latest closed chat.
	Rated bool
	// Changed counts the Changes that changed a message; Unknown those that named a
	// message the ticket does not have (the rest found it so already).
	Changed, Unknown int
}

// validate checks in and fills in the messages' defaults.
func (in *Inbound) validate() error {
	if !ValidSource(in.Source) {
		return invalidf("source %q must be lowercase letters, digits, '-' or '_'", in.Source)
	}
	if strings.TrimSpace(in.ConversationID) == "" {
		return invalidf("conversation id is required")
	}
	if len(in.Source) > maxIDBytes || len(in.ConversationID) > maxIDBytes {
		return invalidf("source or conversation id is longer than %d bytes", maxIDBytes)
	}
	if in.Rating != nil {
		if in.Request != nil || len(in.Messages) > 0 || in.Close != nil {
			return invalidf("a rating comes alone, without a request, messages or a close")
		}
		if in.Rating.Stars < 1 || in.Rating.Stars > 5 {
			return invalidf("rating must be 1 to 5, not %d", in.Rating.Stars)
		}
		if len(in.Rating.Comment) > MaxCSATComment {
			return invalidf("comment is longer than %d bytes", MaxCSATComment)
		}
		return nil
	}
	if len(in.Changes) > 0 {
		if in.Request != nil || len(in.Messages) > 0 || in.Close != nil {
			return invalidf("changes come alone, without a request, messages or a close")
		}
		if len(in.Changes) > MaxInboundMessages {
			return invalidf("%d changes at once, more than %d", len(in.Changes), MaxInboundMessages)
		}
		for i := range in.Changes {
			if err := in.Changes[i].validate(); err != nil {
				return err
			}
		}
		return nil
	}
	if in.Request == nil && len(in.Messages) == 0 && in.Close == nil {
		return invalidf("nothing happened: no request, message, close, rating or change")
	}
	if in.Request != nil {
		if err := in.Request.validate(); err != nil {
			return err
		}
	}
	if len(in.Messages) > MaxInboundMessages {
		return invalidf("%d messages at once, more than %d", len(in.Messages), MaxInboundMessages)
	}
	for i := range in.Messages {
		m := &in.Messages[i]
		switch m.Direction {
		case "", FromCustomer:
			m.Direction, m.Author = FromCustomer, Agent{}
		case FromSourceAgent:
		default:
			return invalidf("a message from the source must have direction %q or %q", FromCustomer, FromSourceAgent)
		}
		if err := m.validate(); err != nil {
			return err
		}
	}
	if in.Close != nil && len(in.Close.Reason) > maxReasonBytes {
		return invalidf("reason is longer than %d bytes", maxReasonBytes)
	}
	return nil
}

// MaxInboundMessages bounds Inbound.Messages: what one event of a source may carry (a
// whole transcript included).
const MaxInboundMessages = 1000

// validate checks a request's details.
func (r *Request) validate() error {
	if len(r.Raw) > MaxRawBytes {
		return invalidf("raw payload is %d bytes, more than %d", len(r.Raw), MaxRawBytes)
	}
	if len(r.Summary) > maxSummaryBytes {
		return invalidf("summary is longer than %d bytes", maxSummaryBytes)
	}
	if err := validateHistory(r.History); err != nil {
		return err
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
	return nil
}

// opening is the index of the first customer message of msgs, or -1.
func opening(msgs []Message) int {
	for i, m := range msgs {
		if m.Direction == FromCustomer {
			return i
		}
	}
	return -1
}

// Inbound applies what a source says happened in one of its conversations, in one atomic
// step of the store: a ticket is opened for a Request when none is open (pending in the
// team its label names; its opening message is the first customer message, shown on the
// card), the messages are added in order to the open ticket (held under the card while
// it is pending, relayed to the inbox once it is active; each at most once per
// SourceMessageID), and a Close closes it. A Rating is recorded on the conversation's
// latest closed chat. A Request whose only message is a rating of the chat an agent just
// ended (see RatingWindow) opens nothing: it is recorded as that chat's rating (Rated).
//
// Returns ErrInvalid (and changes nothing), ErrNotFound (no open ticket for messages or a
// close without a Request; no closed chat to rate), or ErrNotConfigured (no team to
// route a Request to).
func (s *Service) Inbound(ctx context.Context, in Inbound) (InboundResult, error) {
	in.Messages = slices.Clone(in.Messages) // filled in below: the caller's stay as they are
	in.Changes = slices.Clone(in.Changes)
	if err := in.validate(); err != nil {
		return InboundResult{}, err
	}
	if len(in.Changes) > 0 {
		return s.changeMessages(ctx, in)
	}
	if in.Rating != nil {
		t, err := s.Rate(ctx, in.Source, in.ConversationID, in.Rating.Stars, in.Rating.Comment)
		if err != nil {
			return InboundResult{}, err
		}
		return InboundResult{State: StateOf(t), Ticket: t, Rated: true}, nil
	}
	first := opening(in.Messages)
	if in.Request != nil && s.rating > 0 && len(in.Messages) == 1 && first == 0 {
		if stars, ok := ParseRating(in.Messages[0].Text); ok {
			t, err := s.rateByReply(ctx, in.Source, in.ConversationID, in.Request.Customer.ID, stars)
			if err != nil {
				return InboundResult{}, wrap("inbound", err)
			}
			if t != nil {
				return InboundResult{State: StateOf(t), Ticket: t, Rated: true}, nil
			}
		}
	}
	w := InboundWrite{Source: in.Source, ConversationID: in.ConversationID, Messages: in.Messages, WholeTicket: in.WholeTicket}
	var openedAt time.Time // a new ticket's time: before its messages'
	if in.Request != nil {
		openedAt = s.now()
	}
	for i := range w.Messages {
		s.stamp(&w.Messages[i])
	}
	if in.Close != nil {
		reason := in.Close.Reason
		if reason == "" {
			reason = "closed by " + in.Source
		}
		w.Close = &Closing{Reason: reason, BySource: true, At: s.now()}
	}
	// Most of what a source says goes to a chat that is open already: try that first, so
	// that the settings are read only when a ticket is to be opened.
	got, err := s.store.Inbound(ctx, w)
	reopened := false
	if errors.Is(err, ErrNotFound) && in.Request != nil {
		// The customer's closed chat may open again (reopen); else a new ticket opens.
		if reopened, err = s.reopen(ctx, in); err != nil {
			return InboundResult{}, wrap("inbound: reopen", err)
		}
		if reopened {
			got, err = s.store.Inbound(ctx, w)
		} else {
			err = ErrNotFound
		}
	}
	if errors.Is(err, ErrNotFound) && in.Request != nil {
		reopened = false // closed again meanwhile: a new ticket it is
		if w.Open, err = s.newTicket(ctx, in, first, openedAt); err != nil {
			return InboundResult{}, err
		}
		got, err = s.store.Inbound(ctx, w)
	}
	if err != nil {
		return InboundResult{}, wrap("inbound", err)
	}
	res := InboundResult{State: got.State, Ticket: got.Ticket, Opened: got.Opened, Closed: got.Closed, Reopened: reopened}
	if got.Opened {
		s.obs.TicketOpened(got.Ticket)
	}
	for i, added := range got.Added {
		if !added {
			continue
		}
		res.Added++
		if !(got.Opened && i == first) { // the opening message shows on the card
			s.obs.MessageRelayed(got.State.Source, w.Messages[i].Direction)
		}
	}
	if got.Closed {
		s.observeClose(got.Ticket, nil)
	}
	if got.Opened {
		if err := s.scheduleSLA(ctx, got.Ticket); err != nil {
			return res, err
		}
	}
	return res, nil
}

// newTicket is the ticket in's Request opens at now, with the message at index first
// (-1: none) as its opening message. Returns ErrNotConfigured when there is no team to
// route to.
func (s *Service) newTicket(ctx context.Context, in Inbound, first int, now time.Time) (*Ticket, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	team, ok := st.route(in.Request.Label)
	if !ok {
		return nil, ErrNotConfigured
	}
	t := &Ticket{
		Source: in.Source, ConversationID: in.ConversationID, Customer: in.Request.Customer,
		Summary: in.Request.Summary, Raw: in.Request.Raw, History: in.Request.History, Team: team,
		Status: StatusPending, CreatedAt: now, UpdatedAt: now,
	}
	if first >= 0 {
		t.Opening = Clip(in.Messages[first].Text, MaxOpeningBytes)
		t.Title = DeriveTitle(in.Messages[first].Text)
	}
	return t, nil
}

// scheduleSLA schedules the hand-back of a new ticket whose source takes chats back when
// no one picks them in time (SLAHandBacker).
func (s *Service) scheduleSLA(ctx context.Context, t *Ticket) error {
	sla, ok := s.sources[t.Source].(SLAHandBacker)
	if !ok || !sla.TakesChatsBack() {
		return nil
	}
	d := sla.HandBackAfter()
	if d <= 0 {
		return nil
	}
	at := t.CreatedAt.Add(d)
	if err := s.store.Schedule(ctx, t.ID, Event{Type: EventSLA, TicketID: t.ID, At: at}, at); err != nil {
		return wrap("inbound: schedule the SLA", err)
	}
	return nil
}
