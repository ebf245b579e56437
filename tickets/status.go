package tickets

import (
	"context"
	"slices"
	"strings"
	"time"
)

// StatusChange is one change of a picked ticket's status between active, waiting on the
// customer and on hold (Ticket.Statuses).
type StatusChange struct {
	From Status    `json:"from"`
	To   Status    `json:"to"`
	At   time.Time `json:"at"`
	// By is the agent who changed it; zero when Cause says what did.
	By Agent `json:"by,omitzero"`
	// Cause is what changed it when no agent chose to: CauseCustomer, CauseWake,
	// CauseReply; "" for an agent's choice.
	Cause string `json:"cause,omitempty"`
	// Note says what a hold waits for; WakeAt when it ends by itself (zero: when an agent
	// ends it).
	Note   string    `json:"note,omitempty"`
	WakeAt time.Time `json:"wake_at,omitzero"`
	// ClosedAt is, for a reopen (From closed), when the ticket had closed.
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// The causes of a status change no agent chose.
const (
	// CauseCustomer: the customer wrote while the ticket waited on them: active again.
	CauseCustomer = "customer"
	// CauseWake: a hold's wake-up time came: active again.
	CauseWake = "wake"
	// CauseReply: the agent's message ended the exchange, and the team waits on the
	// customer after each (SLAPolicy.AutoWaiting).
	CauseReply = "reply"
)

// MaxHoldNoteBytes bounds a hold's note.
const MaxHoldNoteBytes = 500

// maxHold bounds how far ahead a hold's wake-up time may be.
const maxHold = 90 * 24 * time.Hour

// Hold is the change that put t on hold, while it is; ok is false otherwise.
func (t *Ticket) Hold() (StatusChange, bool) {
	if t.Status != StatusOnHold || len(t.Statuses) == 0 {
		return StatusChange{}, false
	}
	c := t.Statuses[len(t.Statuses)-1]
	return c, c.To == StatusOnHold
}

// SetStatus changes a picked ticket's status, for agent by: to active, waiting on the
// customer (the customer's next message makes it active again) or on hold (with an
// optional note of at most MaxHoldNoteBytes, and an optional wake-up time within 90 days
// at which it becomes active again by itself). The change is kept with who and when,
// shown on the card and in the inbox channel, and told to the sinks. Returns ErrInvalid
// (another status; a note or wake-up time without a hold, or out of bounds), ErrNotFound,
// ErrClosed, ErrNotActive (no one has picked it), or ErrSameStatus.
func (s *Service) SetStatus(ctx context.Context, id ID, by Agent, to Status, note string, wakeAt time.Time) (*Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	now := s.now()
	note = strings.TrimSpace(note)
	switch {
	case !to.Picked():
		return nil, invalidf("a ticket can be set to active, waiting on customer or on hold, not %q", to)
	case to != StatusOnHold && (note != "" || !wakeAt.IsZero()):
		return nil, invalidf("only a hold has a note and a wake-up time")
	case len(note) > MaxHoldNoteBytes:
		return nil, invalidf("the note is longer than %d bytes", MaxHoldNoteBytes)
	case !wakeAt.IsZero() && (!wakeAt.After(now) || wakeAt.Sub(now) > maxHold):
		return nil, invalidf("the wake-up time must be in the next %d days", int(maxHold/(24*time.Hour)))
	}
	t, err := s.store.SetStatus(ctx, id, StatusChange{To: to, At: now, By: by, Note: note, WakeAt: wakeAt}, time.Time{})
	return t, wrap("set status", err)
}

// wake ends the hold that timer ev (EventWake) was set for, if the ticket is still in
// it: active again, and the inbox channel says so.
func (s *Service) wake(ctx context.Context, ev Event) error {
	_, err := s.store.SetStatus(ctx, ev.TicketID, StatusChange{To: StatusActive, At: s.now(), Cause: CauseWake}, ev.Started)
	if isOutcome(err) {
		return nil // ended, moved or closed meanwhile
	}
	return err
}

// scheduleWake sets the timer that ends the hold status event ev began, if it has a
// wake-up time.
func (s *Service) scheduleWake(ctx context.Context, ev Event) error {
	c := ev.Status
	if c == nil || c.To != StatusOnHold || c.WakeAt.IsZero() {
		return nil
	}
	return s.store.Schedule(ctx, ev.TicketID, Event{Type: EventWake, TicketID: ev.TicketID, At: c.WakeAt, Started: c.At}, c.WakeAt)
}

// pausingStatus reports whether a ticket in status st pauses its resolution clock
// (unless its team's policy keeps it running).
func pausingStatus(st Status) bool { return st == StatusWaiting || st == StatusOnHold }

// pauses are the stretches t spent waiting on the customer or on hold: the ended ones,
// and since when the one in progress runs (zero when none does). Transfers end them (a
// transferred ticket is pending).
func (t *Ticket) pauses() (ended [][2]time.Time, since time.Time) {
	type step struct {
		at time.Time
		to Status
	}
	var steps []step
	for _, c := range t.Statuses {
		steps = append(steps, step{c.At, c.To})
	}
	for _, tr := range t.Transfers {
		steps = append(steps, step{tr.At, StatusPending})
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
	for _, st := range steps {
		switch {
		case pausingStatus(st.to) && since.IsZero():
			since = st.at
		case !pausingStatus(st.to) && !since.IsZero():
			ended = append(ended, [2]time.Time{since, st.at})
			since = time.Time{}
		}
	}
	if !pausingStatus(t.Status) && !since.IsZero() {
		ended, since = append(ended, [2]time.Time{since, t.UpdatedAt}), time.Time{} // closed while paused
	}
	return ended, since
}
