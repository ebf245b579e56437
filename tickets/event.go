package tickets

import "time"

// EventType names what happened to a ticket.
type EventType string

const (
	EventOpened      EventType = "ticket.opened"
	EventPicked      EventType = "ticket.picked"
	EventTransferred EventType = "ticket.transferred"
	EventClosed      EventType = "ticket.closed"
	// EventRemind: a ticket's card (PrevCardEvent's) has waited the priority window
	// without a pick. Scheduled when the card is posted.
	EventRemind EventType = "ticket.remind"
	// EventRated: the customer rated a closed chat (the ticket's CSAT).
	EventRated EventType = "ticket.rated"
	// EventSLA: a ticket of a source that hands back unpicked chats (SLAHandBacker) has
	// waited its time; if it is still pending it goes back to the source.
	EventSLA EventType = "ticket.sla"
	// EventArchive: the time to archive a closed ticket's inbox channel has come (it was
	// kept open for the customer's rating to show there).
	EventArchive EventType = "ticket.archive"
	// EventUpdated: the ticket's details changed (Fields; Actor for an agent's edit, zero
	// for AI suggestions).
	EventUpdated EventType = "ticket.updated"
	// EventSynced: a sink's outcome for the ticket changed in a way agents should hear
	// about (Sink; Reason): it will not take the ticket, or takes it again (store).
	EventSynced EventType = "ticket.synced"
	// EventStatus: a picked ticket's status changed between active, waiting on the
	// customer and on hold (Status).
	EventStatus EventType = "ticket.status"
	// EventReopened: the customer wrote again within the team's reopen window after the
	// ticket closed, and it opened again (Status: the change, CauseReopen, from closed
	// to active with the agent who had it, Actor, or to pending).
	EventReopened EventType = "ticket.reopened"
	// EventWake: the wake-up time of a hold (the one begun at Started) came.
	EventWake EventType = "ticket.wake"
	// EventClock: one of the ticket's SLA clocks started or stopped (the first response
	// came, a customer message waits for an answer, or got one). The store appends it for
	// tickets whose clocks are watched (Ticket.SLA).
	EventClock EventType = "sla.clock"
	// EventSLAAlert: a timer of an SLA clock (Clock, Started) set for its warning or, with
	// Breach, its due time (At). It alerts only if that clock still runs and is still due
	// then: an answer or a change of policy in between withdraws it.
	EventSLAAlert EventType = "sla.alert"
	// EventPolicy: an admin saved a new SLA policy for the ticket's team (or removed it);
	// the ticket's clocks are watched and timed as the saved policy says from then on.
	EventPolicy EventType = "sla.policy"
	// EventInbound: an event a source sent us, queued to be worked through in order per
	// conversation (Store.Enqueue); not part of any ticket's outbox.
	EventInbound EventType = "source.inbound"
	// EventMessage: a message was added to the ticket (any Direction), or an agent
	// message is to be sent again (RetryDelivery).
	EventMessage EventType = "message"
	// EventChanged: a message taken before was edited or deleted where it was written;
	// Message is the message as it is now.
	EventChanged EventType = "message.changed"
	// EventDelivered: the source took an agent message (Message).
	EventDelivered EventType = "message.delivered"
	// EventFailed: an agent message could not be delivered for good (Message; Reason).
	EventFailed EventType = "message.failed"
)

// Place is where the desk shows a customer message.
type Place string

const (
	// PlaceCard: under the ticket card, in its thread (the ticket is pending).
	PlaceCard Place = "card"
	// PlaceInbox: in the inbox channel (the ticket is active).
	PlaceInbox Place = "inbox"
)

// Event is one entry of the transactional outbox: something that happened to a ticket and
// whose side effects (Slack, the customer, the sinks) are still to be carried out. The
// Store writes it in the same atomic step as the state change and fills the fields marked
// "store"; Service.Handlers carry it out.
type Event struct {
	// ID is unique among all events (store). Side effects use it as their idempotency key.
	ID       string    `json:"-"`
	Type     EventType `json:"type"`
	TicketID ID        `json:"ticket"`
	At       time.Time `json:"at"`
	// Actor is who caused it: the picker, the transferring or ending agent, a message's author.
	Actor Agent `json:"actor,omitempty"`

	// EventMessage: the message, and for a customer message where it goes (store).
	Message *Message `json:"message,omitempty"`
	Place   Place    `json:"place,omitempty"`
	// Replay marks a customer message that was held while the ticket was pending and is
	// now replayed into the inbox channel by a pick (store).
	Replay bool `json:"replay,omitempty"`
	// Ticket is the ticket as it was when the event was written, in part, when the store
	// attached it (store: to a message, so that relaying it needs no second read): its
	// ID, Number, Source, ConversationID, Customer, Status, Inbox and Card, and nothing
	// else (no request texts, details, times or transfers). It is a copy taken then: the
	// handlers use it only for those, and only for what cannot have changed since or is
	// as it should be seen at that moment (the conversation, the customer, the inbox
	// channel, the card the message goes under); anything else is read (ticketFor).
	Ticket *Ticket `json:"-"`

	// EventOpened and EventTransferred: the team whose channel gets a new card.
	// EventTransferred also names the team it left.
	To   Team `json:"to,omitempty"`
	From Team `json:"from,omitempty"`
	// EventTransferred: the event whose card is now out of date (store). EventRemind: the
	// event whose card is waiting.
	PrevCardEvent string `json:"prev_card_event,omitempty"`

	// EventChanged: the message changed is the ticket's opening message, which the card
	// shows (Ticket.Opening changed with it).
	Opening bool `json:"opening,omitempty"`

	// EventPicked: the ticket had been transferred, so the customer hears "transfer
	// accepted" rather than "picked" (store).
	AfterTransfer bool `json:"after_transfer,omitempty"`

	// EventClosed: why, and whether the source itself closed it (so it need not be told).
	// EventFailed: why the message could not be delivered.
	Reason   string `json:"reason,omitempty"`
	BySource bool   `json:"by_source,omitempty"`
	// EventClosed: the chat was handed back to the source's own desk (HandBacker).
	HandedBack bool `json:"handed_back,omitempty"`

	// EventFailed about a turn of the chat rather than a message: which turn the source
	// did not take (EventPicked, EventTransferred or EventClosed, with HandedBack).
	Failed EventType `json:"failed,omitempty"`

	// EventDelivered: the inbox channel the agent's message was written in, so that its
	// delivery mark needs no read of the ticket.
	Inbox string `json:"inbox,omitempty"`
	// EventMessage and its EventDelivered: an agent's message sent again after its
	// delivery failed (RetryDelivery). Its mark is its own (Supersedes).
	Resent bool `json:"resent,omitempty"`

	// EventUpdated: the fields that were set (store).
	Fields []string `json:"fields,omitempty"`

	// EventSynced: the sink, and the SyncStatus it recorded.
	Sink string      `json:"sink,omitempty"`
	Sync *SyncStatus `json:"sync,omitempty"`

	// EventStatus: the change.
	Status *StatusChange `json:"status,omitempty"`

	// EventSLAAlert: the clock it is about (its kind, and when it started), and whether it
	// is the breach rather than the warning.
	Clock   SLAKind   `json:"clock,omitempty"`
	Started time.Time `json:"started,omitzero"`
	Breach  bool      `json:"breach,omitempty"`

	// EventInbound: the source, its conversation, and its event as it came.
	Source         string `json:"source,omitempty"`
	ConversationID string `json:"conversation,omitempty"`
	Payload        string `json:"payload,omitempty"`
}
