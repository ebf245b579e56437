package tickets

import (
	"context"
	"encoding/json"
	"time"
)

// Store keeps tickets, their messages and settings, and the transactional outbox. Each
// method that changes a ticket does so atomically together with appending the events it
// names to the outbox, so state and pending side effects never disagree. Implemented by
// store.Redis; every method may also return an infrastructure error.
type Store interface {
	// Inbound applies what a source says happened in one conversation, in one atomic
	// step. When the conversation has no open ticket and w.Open is set, it creates w.Open
	// (a pending ticket; Store assigns ID and Number) and appends EventOpened (To =
	// w.Open.Team); its opening message, the first FromCustomer message of w.Messages, is
	// recorded and held for replay but gets no event of its own (the card shows it).
	// Then it adds w.Messages in order to the open ticket's transcript, each unless a
	// message with the same direction and SourceMessageID was added before (Added[i]
	// false, nothing changes), and appends an EventMessage for each: while the ticket is
	// pending the message is held for replay and placed under the card (PlaceCard), while
	// it is active placed in the inbox (PlaceInbox); an agent's message or note (FromAgent,
	// Internal: of a SourceSlack conversation only, a customer channel's thread, where the
	// agent wrote where the customer reads, or the team under the card) is taken in any
	// open status, never held. Then, when w.Close is set, it closes
	// the ticket as Close does, by the source (BySource). Without an open ticket and
	// without w.Open it changes nothing and returns ErrNotFound; a message that is not
	// FromCustomer or FromSourceAgent (or, for SourceSlack, FromAgent or Internal) is
	// ErrInvalid.
	Inbound(ctx context.Context, w InboundWrite) (InboundApplied, error)

	// Get returns the ticket. Returns ErrNotFound.
	Get(ctx context.Context, id ID) (*Ticket, error)
	// FindOpen returns the open ticket of a source conversation. Returns ErrNotFound.
	FindOpen(ctx context.Context, source, conversationID string) (*Ticket, error)
	// FindLastClosed returns the latest closed ticket of a source conversation. Returns
	// ErrNotFound.
	FindLastClosed(ctx context.Context, source, conversationID string) (*Ticket, error)
	// FindByInbox returns the ticket whose inbox channel is channelID. Returns ErrNotFound.
	FindByInbox(ctx context.Context, channelID string) (*Ticket, error)
	// CountWaiting returns how many tickets wait for a pick in the team whose ticketing
	// channel is teamChannel (pending, open). It reads every open ticket: for an answer
	// now and then (a mention), not for every message.
	CountWaiting(ctx context.Context, teamChannel string) (int, error)
	// OpenTickets returns every open ticket, in no order. It reads them all: for a view
	// now and then (an agent's App Home), not for every message.
	OpenTickets(ctx context.Context) ([]*Ticket, error)

	// Note keeps value for id in scope for at least ttl, replacing what was kept; an
	// empty value forgets it. Noted reads it (found false when none is kept). NoteFirst
	// keeps value only when none is kept, in one step, and returns the value kept after:
	// of callers racing, one keeps its value and all get it. A note is a small fact to find
	// again (which request a Slack message belongs to), not a ticket's state.
	Note(ctx context.Context, scope, id, value string, ttl time.Duration) error
	NoteFirst(ctx context.Context, scope, id, value string, ttl time.Duration) (string, error)
	Noted(ctx context.Context, scope, id string) (value string, found bool, err error)

	// Pick makes a pending ticket active with agent as assignee; of any number of
	// concurrent calls exactly one succeeds. It appends EventPicked (AfterTransfer set when
	// the ticket has been transferred) and then, in order, one EventMessage with
	// Place=PlaceInbox and Replay=true for every customer message held while pending.
	// Returns ErrNotFound, ErrClosed, or *AlreadyPickedError when it is active.
	Pick(ctx context.Context, id ID, agent Agent, at time.Time) (*Ticket, error)

	// Transfer moves an open ticket to team to, pending (the assignee is cleared, the inbox
	// channel kept), records the transfer and appends EventTransferred (From, To,
	// PrevCardEvent). Returns ErrNotFound, ErrClosed, or ErrSameTeam when the ticket is
	// pending in team to already.
	Transfer(ctx context.Context, id ID, to Team, by Agent, at time.Time) (*Ticket, error)

	// Close closes an open ticket and appends EventClosed (with Reason, BySource and
	// HandedBack from c). Returns ErrNotFound, ErrClosed, or ErrNotActive when c.IfPending
	// and the ticket is active.
	Close(ctx context.Context, id ID, c Closing) (*Ticket, error)

	// Rate records c as a closed ticket's CSAT (replacing an earlier one) and appends
	// EventRated. Returns ErrNotFound, or ErrInvalid when the ticket is not closed.
	Rate(ctx context.Context, id ID, c CSAT) error

	// ChangeMessage applies c at when to the latest message of ticket id with c's
	// direction and source id: the transcript (and, while the message waits under the card,
	// the held list) gets the message as changed, and EventChanged carrying it is appended
	// in the same step. Nothing changes, and no event is written, when the message is so
	// already (ChangeApplied.Changed false). Returns ErrNotFound when the ticket has no such
	// message; a deletion of one is remembered as the message's SourceMessageID taken, so
	// that the message, should it come later (Slack sending its event again after a
	// connection ended), is not taken.
	ChangeMessage(ctx context.Context, id ID, c MessageChange, when time.Time) (ChangeApplied, error)
	// AddInboxMessage adds an agent's message (FromAgent) or internal note (Internal)
	// written in inbox channel channelID to that channel's ticket, found and added to in
	// one step, and tells which ticket that is (not the whole ticket: the relay reads
	// nothing of it, and the outbox entry carries it). It appends m to the transcript and,
	// unless a message with the same direction and SourceMessageID was added before (then
	// Added is false, nothing changes), appends EventMessage. An agent's message needs an
	// active ticket (ErrNotActive; ErrClosed); internal notes are taken in any status,
	// closed too. Returns ErrNotFound when channelID is no ticket's inbox, ErrClosed,
	// ErrNotActive, or ErrInvalid for another direction.
	AddInboxMessage(ctx context.Context, channelID string, m Message) (InboxAdded, error)

	// Enqueue records an event a source sent (payload, as it came) to be worked through
	// later, in order per source conversation, with retries: the source gets its answer
	// at once and nothing it sent is lost. An event whose (source, eventID) was enqueued
	// before is not enqueued again (added=false). The worker gets it as EventInbound.
	Enqueue(ctx context.Context, source, conversationID, eventID, payload string) (added bool, err error)

	// Schedule appends ev to the outbox of ticket id at time at (or at once when at has
	// passed), once however many processes run. Scheduling the same event for the same
	// time again changes nothing. Returns ErrNotFound.
	Schedule(ctx context.Context, id ID, ev Event, at time.Time) error

	// AddEvent appends ev (a follow-up of an earlier side effect, e.g. EventDelivered) to
	// the outbox of ticket id. Returns ErrNotFound.
	AddEvent(ctx context.Context, id ID, ev Event) error

	// Messages returns the ticket's transcript in the order the messages were added.
	// Returns ErrNotFound.
	Messages(ctx context.Context, id ID) ([]Message, error)

	// SetCard records card c, posted for event (the EventOpened or EventTransferred that
	// asked for it). The ticket's Card is the one of the latest such event.
	SetCard(ctx context.Context, id ID, event string, c Card) error
	// CardOf returns the card posted for event. Returns ErrNotFound when none was.
	CardOf(ctx context.Context, id ID, event string) (Card, error)
	// SetInbox records the ticket's inbox channel so that FindByInbox finds it. Calling it
	// again with the same channel is harmless (and repairs a half-done earlier call).
	SetInbox(ctx context.Context, id ID, channelID string) error

	// UpdateDetails sets the ticket's details (any status): each change whose value
	// differs from the field's current one is applied and recorded as an Edit (origin,
	// by, at), except that with origin OriginAI a field an agent set is left alone. When
	// anything changed it appends one EventUpdated (Fields: those changed; Actor: by).
	// Returns the ticket as it is now, or ErrNotFound.
	UpdateDetails(ctx context.Context, id ID, changes []FieldChange, origin Origin, by Agent, at time.Time) (*Ticket, error)

	// SetSync records where ticket id stands with sink (SyncStatus) and, when its outcome
	// changed so that agents should hear of it (the sink now fails to hold it, fails for
	// another reason, or holds it after failing), appends EventSynced (Sink, Sync).
	// Returns ErrNotFound.
	SetSync(ctx context.Context, id ID, sink string, s SyncStatus) error

	// SetWatch records how ticket id's team watches it (Ticket.Watch). While its clocks
	// are watched, adding a message that starts or stops one (the first response; a
	// customer message after it that waits for an answer; the answer) also appends
	// EventClock. With AutoWait, an agent's message to the customer of an active ticket
	// sets it waiting on the customer (a StatusChange with CauseReply and EventStatus).
	// Whatever the watch, a customer's message to a ticket waiting on them makes it
	// active (CauseCustomer, EventStatus). Returns ErrNotFound.
	SetWatch(ctx context.Context, id ID, w Watch) error
	// Reopen opens closed ticket id again at at, the latest closed ticket of its
	// conversation, which has no open one: active with the assignee it had (pending when
	// it had none), closing fields cleared, its keys no longer expiring, the change
	// recorded (StatusChange From closed, CauseReopen, ClosedAt) and EventReopened (Actor:
	// the assignee) appended. Returns the ticket as it is now; ErrNotFound, or ErrStale
	// when another ticket of its conversation is open or closed since. Reopening a ticket
	// open again already changes nothing.
	Reopen(ctx context.Context, id ID, at time.Time) (*Ticket, error)
	// SetStatus applies c (To, At, By or Cause, Note, WakeAt) to a picked ticket: its
	// status becomes c.To, c is recorded with From set (Ticket.Statuses) and EventStatus
	// carrying it is appended. With ifSince set, only while the ticket's latest status
	// change is the one made at ifSince (a hold's wake-up). Returns the ticket as it is
	// now; ErrNotFound, ErrClosed, ErrNotActive (pending), ErrSameStatus, or ErrStale.
	SetStatus(ctx context.Context, id ID, c StatusChange, ifSince time.Time) (*Ticket, error)
	// SetCardDue records sig as what the card shows of ticket id's clocks
	// (Ticket.CardDue). Returns ErrNotFound.
	SetCardDue(ctx context.Context, id ID, sig string) error
	// ClaimAlert records that outbox event eventID carries out the SLA alert named name
	// (one warning or breach of one clock: SLAAlertName) of ticket id, unless another
	// event claimed it first, and reports whether eventID holds it (true again for the
	// same eventID). The ticket's Alerted lists the names claimed. Returns ErrNotFound.
	ClaimAlert(ctx context.Context, id ID, name, eventID string) (bool, error)

	// LoadSettings returns the saved settings. Returns ErrNotFound when none were saved.
	LoadSettings(ctx context.Context) (*Settings, error)
	// SaveSettings replaces the saved settings.
	SaveSettings(ctx context.Context, s *Settings) error
}

// InboundWrite is what Store.Inbound applies to a source conversation.
type InboundWrite struct {
	Source, ConversationID string
	// Open is the ticket to create when none is open; nil: do not open one.
	Open *Ticket
	// Messages are FromCustomer, FromSourceAgent or (a customer channel's thread) FromAgent, with ID and At set.
	Messages []Message
	// Close closes the ticket after the messages; nil: do not.
	Close *Closing
	// WholeTicket asks for the whole ticket (InboundApplied.Ticket) even when the write
	// neither opens nor closes it.
	WholeTicket bool
}

// InboundApplied is what Store.Inbound did.
type InboundApplied struct {
	// State is the conversation's ticket as it is after, in brief.
	State TicketState
	// Ticket is the whole ticket as it is after, when the write opened or closed it or
	// asked for it (InboundWrite.WholeTicket); else nil. Reading and decoding it cost
	// more than adding a message does, and most writes add a message and need only State.
	Ticket *Ticket
	Opened bool
	Added  []bool // per message of InboundWrite.Messages
	Closed bool
}

// TicketState is a ticket in brief: which it is and where it stands.
type TicketState struct {
	ID     ID
	Number int64
	Source string
	Status Status
}

// IsOpen reports whether the ticket is pending or active.
func (s TicketState) IsOpen() bool { return s.Status.IsOpen() }

// StateOf is t in brief.
func StateOf(t *Ticket) TicketState {
	return TicketState{ID: t.ID, Number: t.Number, Source: t.Source, Status: t.Status}
}

// Closing says who closed a ticket, when, and why.
type Closing struct {
	By       Agent // zero when the source closed it
	Reason   string
	BySource bool
	// HandBack: the chat goes back to the source's own desk rather than ending.
	HandBack bool
	// IfPending closes the ticket only while no one has picked it: Close returns
	// ErrNotActive (changing nothing) when it is active.
	IfPending bool
	At        time.Time
}

// Desk is the agent-facing surface (Slack). Each method is a side effect carried out from
// the outbox: key is unique to the call and the same on every attempt, and IsRetry(ctx)
// says whether an earlier attempt may have done it already (then the Desk looks before it
// posts again). Errors follow the rules in errors.go (plain: retry; Permanent: give up;
// RetryAfterError: wait first).
type Desk interface {
	// PostCard posts a card for t in team's ticketing channel, sends a copy to each of
	// notify (the priority group, told first), and returns where they are.
	PostCard(ctx context.Context, t *Ticket, team Team, notify []AgentID, key string) (Card, error)
	// UpdateCard re-renders card c from t's current state ("Processing by ...",
	// "Transferred to ...", "Closed by ...").
	UpdateCard(ctx context.Context, t *Ticket, c Card, key string) error
	// OpenInbox makes sure t has an inbox channel with members in it and returns the
	// channel (Card.Channel). When t.Inbox is empty it creates the channel and calls
	// created with it before anyone is invited, so that the channel is known as t's inbox
	// before an agent can write in it. With intro it posts the ticket's details and who
	// picked it as the channel's first message and returns it (Card.TS); a pick that gets
	// a first message posts no Notice of its own.
	OpenInbox(ctx context.Context, t *Ticket, members []AgentID, intro bool, created func(ctx context.Context, channel string) error, key string) (Card, error)
	// PostHistory shows t.History (the chat before the hand-off) in the thread of message
	// under: the card, or the inbox channel's first message. Nothing when t has none.
	PostHistory(ctx context.Context, t *Ticket, under Card, key string) error
	// ShareFiles shares customer message m's files that travel as files
	// (Attachment.Upload) in the thread of message under: the card, whose text shows the
	// opening message but cannot hold its files. Nothing when m has none.
	ShareFiles(ctx context.Context, t *Ticket, m Message, under Card, key string) error
	// ShowChange shows where customer message m shows (under t's card, in its inbox
	// channel) that it was edited (its new text) or deleted, as m now is.
	ShowChange(ctx context.Context, t *Ticket, m Message, key string) error
	// Post shows a customer message under t's card or in its inbox channel.
	Post(ctx context.Context, t *Ticket, m Message, place Place, key string) error
	// Notice posts a status line about ev (picked after a transfer, transferred, closed)
	// in t's inbox channel.
	Notice(ctx context.Context, t *Ticket, ev Event, key string) error
	// ArchiveInbox archives t's inbox channel once the ticket is closed.
	ArchiveInbox(ctx context.Context, t *Ticket, key string) error
	// Remind tells t's team, in the thread of card c, that the ticket still waits for a pick.
	Remind(ctx context.Context, t *Ticket, c Card, key string) error
	// Warn tells t's team, under t's card, that the source did not take a turn of the
	// chat (ev: EventFailed with Failed, Reason and Actor).
	Warn(ctx context.Context, t *Ticket, ev Event, key string) error
	// ShowStatus tells t's inbox channel of status change c (shown on the card too, which
	// the service updates), mentioning the assignee when no agent made it.
	ShowStatus(ctx context.Context, t *Ticket, c StatusChange, key string) error
	// AlertSLA tells of a warning or breach of one of t's SLA clocks: a line under t's
	// card (mentioning a.Escalation at a breach) and a direct message to each of a.Notify.
	AlertSLA(ctx context.Context, t *Ticket, a SLAAlert, key string) error
	// MarkDelivery shows on the agent's message ev.Message, in ticket id's inbox channel
	// inbox, whether the customer got it (EventDelivered) or not (EventFailed, with
	// ev.Reason and a way to try again).
	MarkDelivery(ctx context.Context, id ID, inbox string, ev Event, key string) error
}

// InboxAdded is what Store.AddInboxMessage tells of the message it was given.
type InboxAdded struct {
	Ticket ID     // the inbox channel's ticket
	Source string // that ticket's source
	// Added is false when a message with the same direction and SourceMessageID was added
	// before: nothing changed.
	Added bool
}

// Source is a connector customers chat through. Keys are as for Desk; a source passes
// them on (e.g. as an Idempotency-Key header) so that a retry is not delivered twice.
type Source interface {
	// Deliver tells t's side of the conversation about out: an agent's message, or a
	// turn of the live chat (accepted, transferred, ended, handed back).
	Deliver(ctx context.Context, t *Ticket, out Outbound, key string) error
}

// HandBacker is a Source that can take a chat back to a desk of its own (e.g. a
// helpdesk's human inbox) instead of ending it; it is then delivered OutHandedBack.
// Live Chat Control offers the hand-back only for tickets whose source is one.
type HandBacker interface {
	Source
	// TakesChatsBack reports whether this source, as configured, can take chats back.
	TakesChatsBack() bool
}

// OutboundKind names what a source is told.
type OutboundKind string

const (
	// OutAccepted: an agent picked the chat (after a transfer too); Text is the "picked"
	// or "transfer accepted" message for the customer.
	OutAccepted OutboundKind = "accepted"
	// OutMessage: an agent wrote Message to the customer.
	OutMessage OutboundKind = "message"
	// OutTransferred: the chat waits for a pick in Team.
	OutTransferred OutboundKind = "transferred"
	// OutEnded: the live chat is over and the source's bot takes over again; Text is the
	// "ended" message for the customer.
	OutEnded OutboundKind = "ended"
	// OutHandedBack: the chat goes to the source's own people (HandBacker).
	OutHandedBack OutboundKind = "handed_back"
	// OutEdited: an agent edited Message, sent before; Text is its new text (Changer).
	OutEdited OutboundKind = "edited"
	// OutDeleted: an agent deleted Message, sent before (Changer).
	OutDeleted OutboundKind = "deleted"
)

// Changer is a Source that can change a message the customer has: it is delivered
// OutEdited and OutDeleted. For any other source, the agent who changes a message is told
// in Slack, on that message, that the customer still has it as it was.
type Changer interface {
	Source
	ChangesMessages() bool
}

// Outbound is what a source is told, with everything it may pass on to the customer.
type Outbound struct {
	Kind OutboundKind
	// Text is what the customer should read: the agent's message or a notice.
	Text string
	// Message is the agent's message (OutMessage), or the message as it now is (OutEdited,
	// OutDeleted: its ID and SourceMessageID are the ones it was sent with).
	Message *Message
	// Agent is who answers, set only when customers may see agents' names
	// (Settings.ShowAgentName).
	Agent *Agent
	// Team is where the chat went (OutTransferred).
	Team Team
	// At is when it happened, for sources that stop retrying after a while.
	At time.Time
	// React and Unreact (OutAccepted, OutEnded; a customer channel's request, which shows
	// its state on the requester's message: Ticket.InThread) are the reaction that state
	// shows and the one it no longer does, if any (Settings.StatusReactions).
	React, Unreact string
	// RatingQuestion (OutEnded, to a RatingCarrier) asks the customer to rate the chat.
	// Other sources have it at the end of Text, and take a reply of 1 to 5 as the rating.
	RatingQuestion string
}

// RatingCarrier is a Source that asks for ratings its own way (a chatbot with rating
// buttons, say): it gets Outbound.RatingQuestion with OutEnded, and sends the answer back
// through Service.Rate.
type RatingCarrier interface {
	Source
	CarriesRating() bool
}

// SLAHandBacker is a HandBacker whose chats go back to it when no one picks them in time
// (e.g. Gladly's SLA: a conversation must not wait in its AI inbox for ever).
type SLAHandBacker interface {
	HandBacker
	// HandBackAfter is how long a ticket may wait for a pick; 0 means for ever.
	HandBackAfter() time.Duration
}

// EventFilter is a Sink that acts on some events only: the others are acknowledged
// without loading the ticket (every event reaches every sink's consumer group).
type EventFilter interface {
	Wants(t EventType) bool
}

// Enricher suggests a ticket's details (e.g. an AI model). Like a Sink it works through
// the outbox on its own (consumer group SinkGroupPrefix + Name), on the events it Wants
// when it is an EventFilter. What it suggests it records with suggest, which is
// Service.Suggest for the ticket: a field an agent set is never replaced. Keys are as
// for Desk.
type Enricher interface {
	Name() string
	Enrich(ctx context.Context, t *Ticket, ev Event, key string, suggest func(context.Context, DetailsChange) error) error
}

// Sink receives ticket data (a CRM). Keys are as for Desk.
type Sink interface {
	// Name identifies the sink; each sink works through the outbox on its own, so one
	// failing sink never holds up the others.
	Name() string
	// TicketChanged is told about every event of every ticket, with the ticket as it is now.
	TicketChanged(ctx context.Context, t *Ticket, ev Event, key string) error
}

// SettingsKeeper is a Sink with settings of its own that admins edit with the rest of
// the Settings (in the admin panel); they are stored in Settings.Sinks under its Name,
// opaque to tickets.
type SettingsKeeper interface {
	// KeepSettings returns what to store when an admin saves next over prev, the saved
	// settings (nil when there are none): it checks next (an error wrapping ErrInvalid
	// refuses the whole save) and carries over from prev what admins cannot see again,
	// such as a secret. now is the time of the save.
	KeepSettings(prev, next json.RawMessage, now time.Time) (json.RawMessage, error)
}
