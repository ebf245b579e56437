package tickets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Handler carries out one outbox event's side effects for one consumer group. A nil
// error means done (the outbox acknowledges the event); see errors.go for the rest.
type Handler func(ctx context.Context, ev Event) error

type retryKey struct{}

// WithRetry marks ctx as carrying a repeat of a side effect: an earlier attempt failed or
// was cut short, and may have taken effect. The outbox sets it; Desk and Source
// implementations read it with IsRetry.
func WithRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryKey{}, true)
}

// IsRetry reports whether ctx carries a repeated side effect (see WithRetry).
func IsRetry(ctx context.Context) bool {
	v, _ := ctx.Value(retryKey{}).(bool)
	return v
}

type lastErrKey struct{}

// WithLastError records on ctx how the previous attempt at the same side effect failed,
// so that an implementation can tell a failure that certainly did nothing (a refused
// call) from one that may have taken effect. The outbox sets it with WithRetry.
func WithLastError(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, lastErrKey{}, err)
}

// LastError is the error WithLastError recorded, or nil.
func LastError(ctx context.Context) error {
	err, _ := ctx.Value(lastErrKey{}).(error)
	return err
}

type followUpsKey struct{}

// FollowUps are the events a handler's side effect leads to (an agent message delivered),
// which the outbox appends together with its acknowledgement of the event handled, in one
// atomic step: they cost no round trip of their own, and a crash before the
// acknowledgement leaves neither, so a repeat of the side effect does not append them
// twice. The outbox puts a fresh one on the context of every handler call
// (WithFollowUps); without one, the service appends them at once.
type FollowUps struct {
	mu  sync.Mutex
	evs []Event
}

// WithFollowUps returns ctx carrying a new FollowUps, and that FollowUps.
func WithFollowUps(ctx context.Context) (context.Context, *FollowUps) {
	f := &FollowUps{}
	return context.WithValue(ctx, followUpsKey{}, f), f
}

// FollowUpsFrom returns the FollowUps ctx carries, if any.
func FollowUpsFrom(ctx context.Context) (*FollowUps, bool) {
	f, ok := ctx.Value(followUpsKey{}).(*FollowUps)
	return f, ok
}

// Add adds ev.
func (f *FollowUps) Add(ev Event) {
	f.mu.Lock()
	f.evs = append(f.evs, ev)
	f.mu.Unlock()
}

// Events are the events added so far.
func (f *FollowUps) Events() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.evs)
}

// followUp appends ev, which the side effect being carried out led to: with the
// acknowledgement of the event handled when the outbox takes follow-ups (FollowUps), at
// once otherwise.
func (s *Service) followUp(ctx context.Context, ev Event) error {
	if f, ok := FollowUpsFrom(ctx); ok {
		f.Add(ev)
		return nil
	}
	return s.store.AddEvent(ctx, ev.TicketID, ev)
}

// Consumer group names. Each group works through every event on its own, so a slow or
// failing sink never holds up Slack or the customers.
const (
	GroupDesk   = "desk"
	GroupSource = "source"
	// GroupMarks shows delivery marks on agent messages. Apart from GroupDesk because
	// marks are cheap to delay and rate-limited by Slack more tightly than posts: a
	// backlog of marks never holds up a customer's messages.
	GroupMarks = "desk-marks"
	// SinkGroupPrefix + Sink.Name() is each sink's group.
	SinkGroupPrefix = "sink:"
	// InboundGroupPrefix + a source's name is the group that works the events the
	// source queued to be worked later (Store.Enqueue, the inbound queue).
	InboundGroupPrefix = "inbound:"
)

// MaxAttempts is how many times the outbox tries an event in group before it sets the
// event aside for good (and tells GaveUp); 0 leaves the outbox's default (20). Sources,
// and the groups working what they queued, bound their retries by time (such as
// WEBHOOK_RETRY_FOR) and say when to give up: their count, about a day of retries with
// the outbox's backoff capped at a minute, is only a backstop. A sink may be away for
// about a week before an update is set aside: its outage delays the sync and loses
// nothing.
func MaxAttempts(group string) int {
	switch {
	case group == GroupSource, strings.HasPrefix(group, InboundGroupPrefix):
		return 1500
	case strings.HasPrefix(group, SinkGroupPrefix):
		return 10000
	}
	return 0
}

// WrittenAt says, for the events of group that must be carried out in the order they were
// written rather than the order they were stored, when they were written: the agents'
// messages, for the source group (their Message.At is when Slack says they were written).
// Two messages an agent writes milliseconds apart may reach two replicas, and be stored
// in either order; the customer must read them as written. Nil for the other groups.
func WrittenAt(group string) func(Event) (time.Time, bool) {
	if group != GroupSource {
		return nil
	}
	return func(ev Event) (time.Time, bool) {
		if ev.Type != EventMessage || ev.Message == nil || ev.Message.Direction != FromAgent || ev.Message.At.IsZero() {
			return time.Time{}, false
		}
		return ev.Message.At, true
	}
}

// Linger is how long group's side effects may wait so that the outbox reads and
// acknowledges its events in batches rather than one at a time (outbox.Config.Linger):
// a second for delivery marks and the sinks, which nobody waits on; nothing for the
// groups that relay the chat.
func Linger(group string) time.Duration {
	if group == GroupMarks || group == GroupSLA || strings.HasPrefix(group, SinkGroupPrefix) {
		return time.Second
	}
	return 0
}

// Supersedes says, for group, whether the side effect of a later event of a ticket
// stands for that of an earlier one, so that the earlier need not be carried out when
// both are at hand (outbox.Config.Supersedes); nil for groups where none does. Delivery
// marks are cumulative: the ✅ on the latest message delivered stands for the messages
// written and delivered before it, so of a burst delivered together only the latest is
// marked. A failure is never superseded: its ❌ and warning stay on the message that
// failed; and a message sent again after one (Event.Resent) gets its own ✅, nor does it
// stand for others (it sits above them in the channel).
func Supersedes(group string) func(earlier, later Event) bool {
	if group != GroupMarks {
		return nil
	}
	return func(earlier, later Event) bool {
		return earlier.Type == EventDelivered && later.Type == EventDelivered &&
			earlier.TicketID == later.TicketID && !earlier.Resent && !later.Resent &&
			earlier.Message != nil && later.Message != nil && later.Message.SourceMessageID != "" &&
			!later.Message.At.Before(earlier.Message.At)
	}
}

// Absorbs says, for group, whether an earlier event of a ticket, when its turn comes,
// takes in a later one already at hand, and what it then is (outbox.Config.Absorbs); nil
// for groups where none does. An agent's message not yet delivered to the source takes in
// the later changes of it: it goes out once, as the agent last left it (not at all when
// they deleted it), and the changes need no delivery of their own.
func Absorbs(group string) func(earlier, later Event) (Event, bool) {
	if group != GroupSource {
		return nil
	}
	return func(earlier, later Event) (Event, bool) {
		if earlier.Type != EventMessage || later.Type != EventChanged || earlier.Message == nil || later.Message == nil ||
			earlier.Message.Direction != FromAgent || later.Message.ID != earlier.Message.ID || earlier.TicketID != later.TicketID {
			return earlier, false
		}
		m := *later.Message
		earlier.Message = &m
		return earlier, true
	}
}

// Latest says, for group, which of its events need only the latest of their kind carried
// out, and what makes them one kind: such an event is kept under its key in place of an
// earlier one of the same key rather than queued after it (the store keeps one per key,
// outbox.Config.Latest), and when is the event's place in their order. Nil for groups
// whose events all count. Delivery marks are cumulative (see Supersedes): of a ticket's
// ordinary deliveries only the one of the latest message written needs its ✅, so a
// ticket costs the marks one entry however many messages the agents send, and a backlog
// of marks (Slack's Tier 3 limit on reactions.add) never grows past one per ticket. A
// failure keeps its own entry, and so does a message sent again after one (Event.Resent).
func Latest(group string) func(Event) (key string, at time.Time, ok bool) {
	if group == GroupSLA {
		return latestClock
	}
	if group != GroupMarks {
		return nil
	}
	return func(ev Event) (string, time.Time, bool) {
		if ev.Type != EventDelivered || ev.Resent || ev.Message == nil || ev.Message.SourceMessageID == "" ||
			ev.Inbox == "" || ev.TicketID == "" {
			return "", time.Time{}, false
		}
		return string(ev.TicketID), ev.Message.At, true
	}
}

// latestClock keeps, for the SLA group, only the latest EventClock of a ticket: its
// handler reads the ticket as it is and sets the timers of the clocks running then, so of
// a quick exchange only the last change needs it. Alerts each keep their own entry.
func latestClock(ev Event) (string, time.Time, bool) {
	if ev.Type != EventClock || ev.TicketID == "" {
		return "", time.Time{}, false
	}
	return string(ev.TicketID), ev.At, true
}

// Handlers returns the handler of each consumer group: the desk's (when there is a Desk),
// the sources' and one per sink.
func (s *Service) Handlers() map[string]Handler {
	hs := map[string]Handler{GroupSource: s.handleSource}
	if s.desk != nil {
		hs[GroupDesk] = s.handleDesk
		hs[GroupMarks] = s.handleMarks
		hs[GroupSLA] = s.handleSLA
	}
	for _, sk := range s.sinks {
		hs[SinkGroupPrefix+sk.Name()] = s.sinkHandler(sk, sk.TicketChanged)
	}
	for _, e := range s.enrich {
		hs[SinkGroupPrefix+e.Name()] = s.sinkHandler(e, func(ctx context.Context, t *Ticket, ev Event, key string) error {
			return e.Enrich(ctx, t, ev, key, func(ctx context.Context, c DetailsChange) error {
				_, err := s.Suggest(ctx, t.ID, c)
				return err
			})
		})
	}
	return hs
}

// sinkHandler is the handler of a sink's (or enricher's) consumer group: it hands change
// the ticket as it is now, for the events c wants (EventFilter).
func (s *Service) sinkHandler(c any, change func(ctx context.Context, t *Ticket, ev Event, key string) error) Handler {
	filter, _ := c.(EventFilter)
	return func(ctx context.Context, ev Event) error {
		if filter != nil && !filter.Wants(ev.Type) {
			return nil
		}
		t, err := s.ticketFor(ctx, ev)
		if err != nil {
			return err
		}
		if err := s.withReport(ctx, t); err != nil {
			return err
		}
		return change(ctx, t, ev, ev.ID)
	}
}

// The event types each group's handler may act on (see Interests).
var (
	deskTypes = []EventType{EventOpened, EventTransferred, EventRemind, EventPicked, EventClosed, EventRated,
		EventArchive, EventSynced, EventUpdated, EventMessage, EventStatus, EventWake, EventReopened}
	marksTypes  = []EventType{EventDelivered, EventFailed}
	sourceTypes = []EventType{EventMessage, EventPicked, EventTransferred, EventSLA, EventClosed, EventReopened, EventOpened}
)

// ticketFor loads the event's ticket; a ticket that is gone will stay gone.
func (s *Service) ticketFor(ctx context.Context, ev Event) (*Ticket, error) {
	t, err := s.store.Get(ctx, ev.TicketID)
	if errors.Is(err, ErrNotFound) {
		return nil, Permanent(fmt.Errorf("event %s: ticket %s: %w", ev.ID, ev.TicketID, err))
	}
	return t, err
}

// ticketAsWritten is the ticket the store attached to ev when it wrote it, if it has what
// has: then the ticket is not read again. Otherwise it is loaded (ticketFor).
func (s *Service) ticketAsWritten(ctx context.Context, ev Event, has func(*Ticket) bool) (*Ticket, error) {
	if ev.Ticket != nil && ev.Ticket.ID == ev.TicketID && has(ev.Ticket) {
		return ev.Ticket, nil
	}
	return s.ticketFor(ctx, ev)
}

// handleDesk keeps Slack in step with the ticket. Every step is safe to repeat: a card
// already posted for an event is updated rather than posted again, and the Desk gets the
// event id as idempotency key.
func (s *Service) handleDesk(ctx context.Context, ev Event) error {
	if !deskActsOn(ev) {
		return nil // told by the event alone: the ticket is not read
	}
	if ev.Type == EventMessage {
		return s.relayToDesk(ctx, ev)
	}
	t, err := s.ticketFor(ctx, ev)
	if err != nil {
		return err
	}
	if err := s.withDue(ctx, t); err != nil { // the card shows when the ticket is due
		return err
	}
	switch ev.Type {
	case EventChanged:
		if ev.Opening && !t.Card.IsZero() {
			if err := s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card"); err != nil {
				return err
			}
		}
		if t.InThread() {
			return nil // changed in the customer's thread, where the agents read it
		}
		return s.desk.ShowChange(ctx, t, *ev.Message, ev.ID)
	case EventOpened:
		return s.ensureCard(ctx, t, ev)
	case EventTransferred:
		if ev.PrevCardEvent != "" {
			old, err := s.store.CardOf(ctx, t.ID, ev.PrevCardEvent)
			switch {
			case err == nil:
				if err := s.desk.UpdateCard(ctx, t, old, ev.ID+":old"); err != nil {
					return err
				}
			case !errors.Is(err, ErrNotFound): // never posted: nothing to update
				return err
			}
		}
		if err := s.ensureCard(ctx, t, ev); err != nil {
			return err
		}
		return s.noticeInInbox(ctx, t, ev)
	case EventRemind:
		if t.Status != StatusPending {
			return nil
		}
		c, err := s.store.CardOf(ctx, t.ID, ev.PrevCardEvent)
		if errors.Is(err, ErrNotFound) || err == nil && !sameCard(c, t.Card) {
			return nil // the card was never posted, or a transfer has replaced it
		}
		if err != nil {
			return err
		}
		return s.desk.Remind(ctx, t, c, ev.ID)
	case EventPicked:
		if t.InThread() {
			// Answered in the customer's thread: no inbox channel; the card says who has it.
			if t.Card.IsZero() {
				return nil
			}
			return s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card")
		}
		st, err := s.Settings(ctx)
		if err != nil {
			return err
		}
		members := append([]AgentID{ev.Actor.ID}, st.PriorityGroup...)
		needIntro, posted, err := s.needsIntro(ctx, t)
		if err != nil {
			return err
		}
		// The channel is the ticket's inbox from the moment it exists, before anyone is
		// invited: a message an agent writes there at once is taken, never turned away.
		created := func(ctx context.Context, channel string) error { return s.store.SetInbox(ctx, t.ID, channel) }
		intro, err := s.desk.OpenInbox(ctx, t, members, needIntro, created, ev.ID)
		if err != nil {
			return err
		}
		if intro.TS != "" {
			if err := s.store.SetCard(ctx, t.ID, IntroCard, intro); err != nil {
				return err
			}
		} else {
			intro.TS = posted.TS // a repeat of the first pick: the first message is there
		}
		t.Inbox = intro.Channel
		if len(t.History) > 0 && intro.TS != "" {
			if err := s.desk.PostHistory(ctx, t, intro, ev.ID+":history"); err != nil {
				return err
			}
		}
		if !t.Card.IsZero() {
			if err := s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card"); err != nil {
				return err
			}
		}
		if intro.TS != "" {
			return nil // the inbox's first message says who picked it
		}
		return s.desk.Notice(ctx, t, ev, ev.ID)
	case EventClosed, EventRated:
		if ev.Type == EventClosed && !IsRetry(ctx) {
			if err := s.withReport(ctx, t); err != nil {
				return err
			}
			s.obs.TicketMeasured(t, t.Measured)
		}
		// The card shows the end (or the rating); the inbox channel says so and is
		// archived, unless it stays open for the customer's rating or for a reopen
		// (keepInbox): then when that time is over.
		if !t.Card.IsZero() {
			if err := s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card"); err != nil {
				return err
			}
		}
		if t.Inbox == "" {
			return nil
		}
		if err := s.desk.Notice(ctx, t, ev, ev.ID); err != nil {
			return err
		}
		keep, err := s.keepInbox(ctx, t, ev)
		if err != nil {
			return err
		}
		at := t.ClosedAt.Add(keep)
		if keep == 0 || !at.After(s.now()) {
			return s.desk.ArchiveInbox(ctx, t, ev.ID+":archive")
		}
		return s.store.Schedule(ctx, t.ID, Event{Type: EventArchive, TicketID: t.ID, At: at, Started: t.ClosedAt}, at)
	case EventArchive:
		// Not when it reopened, nor for a close other than the one the timer was set for
		// (a zero Started: set before timers named their close).
		if t.Inbox == "" || t.IsOpen() || !ev.Started.IsZero() && !ev.Started.Equal(t.ClosedAt) {
			return nil
		}
		return s.desk.ArchiveInbox(ctx, t, ev.ID)
	case EventReopened:
		if !t.Card.IsZero() {
			if err := s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card"); err != nil {
				return err
			}
		}
		if ev.Status == nil || t.Inbox == "" {
			return nil
		}
		return s.desk.ShowStatus(ctx, t, *ev.Status, ev.ID)
	case EventSynced:
		return s.desk.Notice(ctx, t, ev, ev.ID)
	case EventStatus:
		if ev.Status != nil && !IsRetry(ctx) {
			// Told here, once per change, whatever made it: an agent, the store's scripts
			// (the customer's answer, the agent's reply), a hold's end.
			s.obs.StatusChanged(t, *ev.Status)
		}
		if !t.Card.IsZero() {
			if err := s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card"); err != nil {
				return err
			}
		}
		if ev.Status != nil && t.Inbox != "" {
			if err := s.desk.ShowStatus(ctx, t, *ev.Status, ev.ID); err != nil {
				return err
			}
		}
		return s.scheduleWake(ctx, ev)
	case EventWake:
		return s.wake(ctx, ev)
	case EventUpdated:
		switch {
		case t.Card.IsZero():
			return nil // the card, when posted, shows the details
		case t.Status.Picked() && t.Inbox == "":
			// Picked after this change and before its inbox channel exists: the pick's
			// event, next in this group, updates the card, details and channel link
			// together. Updated now, it would say who picked it without where.
			return nil
		}
		return s.desk.UpdateCard(ctx, t, t.Card, ev.ID+":card")
	}
	return nil
}

// relayToDesk posts a customer's (or a source agent's) message in Slack where the store
// placed it: under the card or in the inbox channel. The ticket as the message was written
// serves when it has that card or channel; a message written before the card was posted or
// the inbox channel made reads the ticket as it is now, after the event that made them.
func (s *Service) relayToDesk(ctx context.Context, ev Event) error {
	t, err := s.ticketAsWritten(ctx, ev, func(t *Ticket) bool {
		return t.InThread() || ev.Place == PlaceInbox && t.Inbox != "" || ev.Place == PlaceCard && !t.Card.IsZero()
	})
	if err != nil {
		return err
	}
	if t.InThread() {
		return nil // the agents read it in the customer's thread
	}
	if ev.Place == PlaceInbox && t.Inbox == "" {
		return Permanent(fmt.Errorf("event %s: ticket %s has no inbox channel", ev.ID, t.ID))
	}
	return s.desk.Post(ctx, t, *ev.Message, ev.Place, ev.ID)
}

// deskActsOn reports whether the desk group has anything to do for ev: every event but
// messages (and changes of messages) that come from Slack already (agent messages,
// notes), delivery marks (the marks group's) and failures.
func deskActsOn(ev Event) bool {
	if ev.Type == EventMessage || ev.Type == EventChanged {
		return ev.Message != nil && (ev.Message.Direction == FromCustomer || ev.Message.Direction == FromSourceAgent)
	}
	return slices.Contains(deskTypes, ev.Type)
}

// sourceActsOn reports whether the source group may have anything to do for ev, told by
// its route: agent messages and the turns of the chat.
func sourceActsOn(ev Event) bool {
	if ev.Type == EventMessage || ev.Type == EventChanged {
		return ev.Message != nil && ev.Message.Direction == FromAgent
	}
	return slices.Contains(sourceTypes, ev.Type)
}

// handleMarks shows whether an agent message reached the customer, and warns the team
// when a turn of the chat could not be told to the source.
func (s *Service) handleMarks(ctx context.Context, ev Event) error {
	if !slices.Contains(marksTypes, ev.Type) {
		return nil
	}
	// A mark needs the inbox channel, which stays once made: a delivery names it
	// (handleSource), and a failure's is read.
	if ev.Type == EventDelivered && ev.Message != nil && ev.Inbox != "" {
		return s.desk.MarkDelivery(ctx, ev.TicketID, ev.Inbox, ev, ev.ID)
	}
	t, err := s.ticketFor(ctx, ev)
	if err != nil {
		return err
	}
	switch {
	case ev.Message != nil && t.Inbox != "":
		return s.desk.MarkDelivery(ctx, t.ID, t.Inbox, ev, ev.ID)
	case ev.Type == EventFailed && ev.Failed != "" && !t.Card.IsZero():
		return s.desk.Warn(ctx, t, ev, ev.ID)
	}
	return nil
}

// ensureCard posts the card event ev asks for, unless it was posted already (a repeat
// after a crash), in which case it is brought up to date.
func (s *Service) ensureCard(ctx context.Context, t *Ticket, ev Event) error {
	c, err := s.store.CardOf(ctx, t.ID, ev.ID)
	if err == nil {
		if err := s.desk.UpdateCard(ctx, t, c, ev.ID+":card"); err != nil {
			return err
		}
		// An earlier attempt's history and files are found.
		if err := s.desk.PostHistory(ctx, t, c, ev.ID+":history"); err != nil {
			return err
		}
		return s.shareOpeningFiles(ctx, t, c, ev.ID+":files")
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	c, err = s.desk.PostCard(ctx, t, ev.To, st.PriorityGroup, ev.ID)
	if err != nil {
		return err
	}
	if err := s.store.SetCard(ctx, t.ID, ev.ID, c); err != nil {
		return err
	}
	if t.InThread() {
		// The card's thread is where the team talks it over: its replies are the
		// ticket's notes (Service.CardReply).
		if err := s.store.Note(ctx, noteCard, c.Channel+"/"+c.TS, string(t.ID), threadNoteTTL); err != nil {
			return err
		}
	}
	if err := s.desk.PostHistory(ctx, t, c, ev.ID+":history"); err != nil {
		return err
	}
	if err := s.shareOpeningFiles(ctx, t, c, ev.ID+":files"); err != nil {
		return err
	}
	if s.remind == 0 {
		return nil
	}
	// The same event and time on a repeat: scheduled once.
	at := ev.At.Add(s.remind)
	return s.store.Schedule(ctx, t.ID, Event{Type: EventRemind, TicketID: t.ID, At: at, To: ev.To, PrevCardEvent: ev.ID}, at)
}

// shareOpeningFiles shares the files of t's opening message under card c: the card
// shows the message's text, and its later messages go to the card's thread with their
// files (Desk.Post), so the opening one's go there too.
func (s *Service) shareOpeningFiles(ctx context.Context, t *Ticket, c Card, key string) error {
	msgs, err := s.store.Messages(ctx, t.ID)
	if err != nil || len(msgs) == 0 || msgs[0].Direction != FromCustomer {
		return err
	}
	return s.desk.ShareFiles(ctx, t, msgs[0], c, key)
}

// sameCard reports whether a and b are the same message.
func sameCard(a, b Card) bool { return a.Channel == b.Channel && a.TS == b.TS }

// needsIntro reports whether the pick of t posts the ticket's details as its inbox
// channel's first message: a first pick does, and so does a retry of it that an earlier
// attempt left without one (it may have made the channel and recorded it as the inbox);
// a pick after a transfer finds the channel as it was. posted is the first message a
// repeat finds recorded (IntroCard), so that the repeat posts no notice of its own.
func (s *Service) needsIntro(ctx context.Context, t *Ticket) (need bool, posted Card, err error) {
	if t.Inbox == "" {
		return true, Card{}, nil
	}
	if len(t.Transfers) > 0 {
		return false, Card{}, nil
	}
	posted, err = s.store.CardOf(ctx, t.ID, IntroCard)
	if errors.Is(err, ErrNotFound) {
		return true, Card{}, nil
	}
	return false, posted, err
}

func (s *Service) noticeInInbox(ctx context.Context, t *Ticket, ev Event) error {
	if t.Inbox == "" {
		return nil
	}
	return s.desk.Notice(ctx, t, ev, ev.ID+":notice")
}

// handleSource tells the customer's side: agent messages, and each turn of the live chat
// (accepted, transferred, ended or handed back). When the source itself closed the chat it
// is not told again.
func (s *Service) handleSource(ctx context.Context, ev Event) error {
	switch ev.Type {
	case EventMessage:
		if ev.Message == nil || ev.Message.Direction != FromAgent || ev.Message.Deleted {
			return nil // a message deleted before it went out (Absorbs) goes nowhere
		}
	case EventChanged:
		if ev.Message == nil || ev.Message.Direction != FromAgent {
			return nil
		}
	case EventPicked, EventTransferred:
	case EventReopened:
		if ev.Status == nil || ev.Status.To != StatusActive {
			return nil // pending again: the customer hears when someone picks it
		}
	case EventSLA:
		return s.slaExpired(ctx, ev)
	case EventOpened:
		return s.autoReply(ctx, ev)
	case EventClosed:
		if ev.BySource {
			return nil
		}
	default:
		return nil
	}
	// An agent's message needs only the conversation, which never changes: the ticket as
	// the message was written serves. The turns of the chat read it as it is now.
	t, err := s.ticketAsWritten(ctx, ev, func(*Ticket) bool { return ev.Type == EventMessage })
	if err != nil {
		return err
	}
	if (ev.Type == EventMessage || ev.Type == EventChanged) && t.InThread() {
		return nil // the agent wrote (or changed) it in the customer's thread: it is there
	}
	src, ok := s.sources[t.Source]
	if !ok {
		return Permanent(fmt.Errorf("ticket %s: %w %q", t.ID, ErrUnknownSource, t.Source))
	}
	st, err := s.recentSettings(ctx)
	if err != nil {
		return err
	}
	out := Outbound{At: ev.At}
	if st.ShowAgentName && ev.Actor.ID != "" {
		a := ev.Actor
		out.Agent = &a
	}
	if ev.Type == EventChanged {
		return s.deliverChange(ctx, src, t, ev, out)
	}
	key := ev.ID
	tpl := st.templates()
	switch {
	case ev.Type == EventMessage:
		out.Kind, out.Message, out.Text = OutMessage, ev.Message, ev.Message.Text
		// The key is the message's, not the event's: a message sent again after a failure
		// (RetryDelivery) is still the same message to the source.
		key = string(t.ID) + "/" + ev.Message.ID
	case ev.Type == EventPicked, ev.Type == EventReopened:
		// A reopened chat is live again with the agent who had it: the source turns its
		// live chat on as after a pick.
		out.Kind, out.Text = OutAccepted, st.Render(tpl.Picked, t, ev.Actor)
		if ev.AfterTransfer {
			out.Text = st.Render(tpl.TransferAccepted, t, ev.Actor)
		}
		if t.InThread() {
			r := st.StatusReactions.orDefault()
			out.React = r.Picked
			if ev.Type == EventReopened && r.Closed != r.Picked {
				out.Unreact = r.Closed
			}
		}
	case ev.Type == EventTransferred:
		out.Kind, out.Team, out.Agent = OutTransferred, ev.To, nil
	case ev.HandedBack:
		if !s.CanHandBack(t) {
			return Permanent(fmt.Errorf("ticket %s: source %q cannot take chats back", t.ID, t.Source))
		}
		out.Kind = OutHandedBack
	default:
		out.Kind, out.Text = OutEnded, st.Render(tpl.Ended, t, ev.Actor)
		if t.InThread() {
			out.React = st.StatusReactions.orDefault().Closed
		}
		if s.asksRating(ev) {
			q := st.Render(tpl.Rating, t, ev.Actor)
			if rc, ok := src.(RatingCarrier); ok && rc.CarriesRating() {
				out.RatingQuestion = q
			} else {
				out.Text += "\n\n" + q
			}
		}
	}
	if err := s.deliver(ctx, src, t, out, key); err != nil {
		return err
	}
	if out.Kind != OutMessage {
		return nil
	}
	return s.followUp(ctx, Event{
		Type: EventDelivered, TicketID: t.ID, At: s.now(), Actor: ev.Actor, Message: ev.Message, Inbox: t.Inbox, Resent: ev.Resent,
	})
}

// deliver has src deliver out, once one of its delivery slots is free (deliveriesInFlight).
func (s *Service) deliver(ctx context.Context, src Source, t *Ticket, out Outbound, key string) error {
	if slots := s.delivering[t.Source]; slots != nil {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return src.Deliver(ctx, t, out, key)
}

// slaExpired hands a ticket still pending at its source's deadline back to the source;
// the card and the inbox channel say why.
func (s *Service) slaExpired(ctx context.Context, ev Event) error {
	t, err := s.ticketFor(ctx, ev)
	if err != nil || t.Status != StatusPending {
		return err
	}
	sla, ok := s.sources[t.Source].(SLAHandBacker)
	if !ok || !sla.TakesChatsBack() {
		return nil
	}
	reason := fmt.Sprintf("no one picked it within %s: handed back to %s", sla.HandBackAfter(), t.Source)
	closed, err := s.store.Close(ctx, t.ID, Closing{Reason: reason, HandBack: true, IfPending: true, At: s.now()})
	s.observeClose(closed, err)
	if errors.Is(err, ErrClosed) || errors.Is(err, ErrNotActive) {
		return nil // ended or picked meanwhile
	}
	return err
}

// GaveUp is told when the outbox sets event ev aside for good in consumer group group,
// because of cause. What a source would not take is shown in Slack, never swallowed: an
// agent message is marked failed (the agent can send it again, RetryDelivery); a turn of
// the chat (accepted, transferred, ended, handed back) gets a warning under the card.
func (s *Service) GaveUp(ctx context.Context, group string, ev Event, cause error) error {
	if group != GroupSource {
		return nil
	}
	reason := "the customer could not be reached"
	if cause != nil {
		reason = Clip(cause.Error(), 300)
	}
	failed := Event{Type: EventFailed, TicketID: ev.TicketID, At: s.now(), Actor: ev.Actor, Reason: reason}
	switch ev.Type {
	case EventMessage:
		if ev.Message == nil || ev.Message.Direction != FromAgent {
			return nil
		}
		failed.Message = ev.Message
	case EventChanged:
		if ev.Message == nil || ev.Message.Direction != FromAgent {
			return nil
		}
		failed.Message, failed.Failed = ev.Message, EventChanged
		failed.Reason = "the customer still has this message as it was: " + reason
	case EventPicked, EventTransferred, EventClosed:
		failed.Failed = ev.Type
		failed.HandedBack = ev.HandedBack
	default:
		return nil
	}
	return wrap("gave up", s.store.AddEvent(ctx, ev.TicketID, failed))
}

// asksRating reports whether the customer is asked to rate the chat that closing event ev
// ended: when ratings are on and an agent ended it (a hand-back goes on elsewhere, and a
// chat the source closed is not told).
func (s *Service) asksRating(ev Event) bool {
	return s.rating > 0 && ev.Type == EventClosed && !ev.BySource && !ev.HandedBack && ev.Actor.ID != ""
}
