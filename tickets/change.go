package tickets

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MessageChange is an edit or a deletion of a message taken before, named by its
// direction and SourceMessageID (the id it had where it was written): the new text of an
// edit, or Delete.
type MessageChange struct {
	Direction       Direction
	SourceMessageID string
	Text            string
	Delete          bool
}

// ChangeApplied is what Store.ChangeMessage did.
type ChangeApplied struct {
	// Message is the message as it is after (its ID, text, EditedAt, Deleted).
	Message Message
	// Changed is false when the message was already so: the same text, or deleted
	// before. Nothing changed then, and no event was written.
	Changed bool
}

// validate checks c as one of a source's changes (Inbound.Changes).
func (c *MessageChange) validate() error {
	switch c.Direction {
	case "", FromCustomer:
		c.Direction = FromCustomer
	case FromSourceAgent:
	default:
		return invalidf("a change from the source must be of a message of direction %q or %q", FromCustomer, FromSourceAgent)
	}
	return c.validateChange()
}

// validateChange checks what c says of its message.
func (c *MessageChange) validateChange() error {
	if c.SourceMessageID == "" || len(c.SourceMessageID) > maxIDBytes {
		return invalidf("a change needs the message's source id, at most %d bytes", maxIDBytes)
	}
	if c.Delete {
		if c.Text != "" {
			return invalidf("a deletion has no text")
		}
		return nil
	}
	if c.Text == "" {
		return invalidf("an edit needs the new text")
	}
	if len(c.Text) > MaxTextBytes {
		return invalidf("the new text is %d bytes, more than %d", len(c.Text), MaxTextBytes)
	}
	return nil
}

// Apply returns m changed by c at when, and whether that changed anything (stores use
// it). A deleted message keeps no text and changes no more.
func (c MessageChange) Apply(m Message, when time.Time) (Message, bool) {
	switch {
	case m.Deleted:
		return m, false
	case c.Delete:
		m.Deleted, m.Text, m.Attachments, m.EditedAt = true, "", nil, when
		return m, true
	case c.Text == m.Text:
		return m, false
	}
	m.Text, m.EditedAt = c.Text, when
	return m, true
}

// TitleAfter is the title a ticket whose opening message changed from was to now gets:
// while the title is still the one derived from the opening message (title, nobody set
// it: origin is empty), it follows the message; ok is false when it stays as it is.
func TitleAfter(title string, origin Origin, was, now Message) (_ string, ok bool) {
	if origin != "" || title != DeriveTitle(was.Text) {
		return "", false
	}
	if now.Deleted {
		return "", title != ""
	}
	t := DeriveTitle(now.Text)
	return t, t != title
}

// OpeningOf is what Ticket.Opening becomes when its opening message changes to m.
func OpeningOf(m Message) string {
	if m.Deleted {
		return ""
	}
	return Clip(m.Text, MaxOpeningBytes)
}

// changeMessages applies in's Changes to the conversation's open ticket, one after
// another: each is written with the ticket's other changes in order (EventChanged), and
// the desk shows it where the message shows. A change naming a message the ticket does
// not have is counted in Unknown and changes nothing.
func (s *Service) changeMessages(ctx context.Context, in Inbound) (InboundResult, error) {
	t, err := s.store.FindOpen(ctx, in.Source, in.ConversationID)
	if err != nil {
		return InboundResult{}, wrap("change", err)
	}
	res := InboundResult{State: StateOf(t)}
	for _, c := range in.Changes {
		got, err := s.store.ChangeMessage(ctx, t.ID, c, s.now())
		switch {
		case err == nil && got.Changed:
			res.Changed++
		case err == nil:
		case errors.Is(err, ErrNotFound):
			res.Unknown++
		default:
			return res, wrap("change", err)
		}
	}
	return res, nil
}

// AgentChange takes an edit or a deletion of a message an agent wrote in an inbox channel
// (c.Direction FromAgent, or Internal for a note; c.SourceMessageID its Slack ts). The
// transcript keeps the message as it now is, and a message sent to the customer changes
// there too when its source can change one (Changer); otherwise the agent is told, on the
// message, that the customer still has it as it was. The same change twice changes
// nothing (Changed false). Returns ErrInvalid, or ErrNotFound when the channel is no
// ticket's inbox or the ticket never took the message.
func (s *Service) AgentChange(ctx context.Context, inboxChannel string, c MessageChange) (ChangeApplied, error) {
	if c.Direction != FromAgent && c.Direction != Internal {
		return ChangeApplied{}, invalidf("an agent's change must be of a message of direction %q or %q", FromAgent, Internal)
	}
	if err := c.validateChange(); err != nil {
		return ChangeApplied{}, err
	}
	t, err := s.store.FindByInbox(ctx, inboxChannel)
	if err != nil {
		return ChangeApplied{}, wrap("agent change", err)
	}
	got, err := s.store.ChangeMessage(ctx, t.ID, c, s.now())
	return got, wrap("agent change", err)
}

// changesMessages reports whether src can change a message the customer has.
func changesMessages(src Source) bool {
	c, ok := src.(Changer)
	return ok && c.ChangesMessages()
}

// deliverChange tells t's source that an agent changed message m (EventChanged ev), or,
// when the source cannot change a message, shows the agent in Slack that the customer
// still has it as it was.
func (s *Service) deliverChange(ctx context.Context, src Source, t *Ticket, ev Event, out Outbound) error {
	m := ev.Message
	if !changesMessages(src) {
		return s.followUp(ctx, Event{Type: EventFailed, TicketID: t.ID, At: s.now(), Actor: ev.Actor, Message: m,
			Failed: EventChanged, Reason: unchangedReason(t, m)})
	}
	out.Kind, out.Message, out.Text = OutEdited, m, m.Text
	if m.Deleted {
		out.Kind = OutDeleted
	}
	// The key is the change's: each change of a message is told once.
	return s.deliver(ctx, src, t, out, string(t.ID)+"/"+m.ID+"/"+ev.ID)
}

// unchangedReason says why the customer still has message m as it was.
func unchangedReason(t *Ticket, m *Message) string {
	what := "edited"
	if m.Deleted {
		what = "deleted"
	}
	return fmt.Sprintf("%s cannot change a message once it is sent, so the customer still has it as it was before you %s it. "+
		"Send a correction if it matters.", t.Source, what)
}
