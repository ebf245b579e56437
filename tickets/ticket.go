package tickets

import "time"

// ID identifies a ticket. It is opaque to everyone but the Store that assigns it.
type ID string

// Status is where a ticket is in its lifecycle.
type Status string

const (
	// StatusPending: waiting in a team's ticketing channel for someone to pick it.
	StatusPending Status = "pending"
	// StatusActive: an agent picked it and talks to the customer from the inbox channel.
	StatusActive Status = "active"
	// StatusWaiting: the agent has it and waits on the customer (asked them something);
	// the customer's next message makes it active again.
	StatusWaiting Status = "waiting"
	// StatusOnHold: the agent has it and waits on something internal, with an optional
	// note and wake-up time (Ticket.Hold).
	StatusOnHold Status = "on_hold"
	// StatusClosed: ended by an agent or by the source. Final, but for a reopen.
	StatusClosed Status = "closed"
)

// Statuses are every status, in the order of a ticket's life.
var Statuses = []Status{StatusPending, StatusActive, StatusWaiting, StatusOnHold, StatusClosed}

// IsOpen reports whether a ticket in status s is open: any status but closed.
func (s Status) IsOpen() bool { return s == StatusPending || s.Picked() }

// Picked reports whether someone has a ticket in status s: active, waiting on the
// customer or on hold. The agent can write to the customer in any of them.
func (s Status) Picked() bool { return s == StatusActive || s == StatusWaiting || s == StatusOnHold }

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool { return s == StatusClosed || s.IsOpen() }

// Label is s as agents read it: "Pending", "Active", "Waiting on customer", "On hold",
// "Closed".
func (s Status) Label() string {
	switch s {
	case StatusWaiting:
		return "Waiting on customer"
	case StatusOnHold:
		return "On hold"
	}
	return capitalize(string(s))
}

// AgentID is the Slack user id of an agent or admin.
type AgentID string

// Agent is a person working tickets: their Slack user id and the display name used when
// the customer may see who answers.
type Agent struct {
	ID   AgentID `json:"id"`
	Name string  `json:"name,omitempty"`
	// Email is the agent's email, when known: sources that name agents by email (Chatra)
	// use it, so the same person in Slack and at the source is one agent.
	Email string `json:"email,omitempty"`
}

// Customer is who the ticket is for, as the source describes them. Fields holds every
// other string field the source gave (shown to agents as given, under its key).
type Customer struct {
	ID     string            `json:"id,omitempty"`
	Name   string            `json:"name,omitempty"`
	Email  string            `json:"email,omitempty"`
	Phone  string            `json:"phone,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// DisplayName is the customer's name, or the best identity the source gave.
func (c Customer) DisplayName() string {
	for _, s := range []string{c.Name, c.Email, c.Phone, c.ID} {
		if s != "" {
			return s
		}
	}
	return "Customer"
}

// Team is a ticketing channel and its label (the team's name, e.g. "Technical Team").
type Team struct {
	ChannelID string `json:"channel_id"`
	Label     string `json:"label"`
}

// Transfer records one move of a ticket from one team to another.
type Transfer struct {
	From Team      `json:"from"`
	To   Team      `json:"to"`
	By   Agent     `json:"by"`
	At   time.Time `json:"at"`
}

// Card locates a ticket card: the bot's message for the ticket in a ticketing channel,
// and the copies of it sent to the priority group (direct messages with the same Pick).
type Card struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	Copies  []Card `json:"copies,omitempty"`
}

// IntroCard is the key (in place of an event id) under which Store.SetCard records the
// first message of a ticket's inbox channel, the one with the ticket's details.
const IntroCard = "intro"

// IsZero reports whether the card has not been posted yet.
func (c Card) IsZero() bool { return c.Channel == "" || c.TS == "" }

// Ticket is one live chat request from one customer conversation.
type Ticket struct {
	ID ID
	// Number is the ticket's number in the workspace (#135), shown to people.
	Number int64
	// Source names the connector the chat came from ("webhook", "chatra", "gladly", ...);
	// ConversationID is the chat's id there. At most one open ticket exists per pair.
	Source         string
	ConversationID string
	Customer       Customer
	// Summary is what the source said the chat is about, when it said.
	Summary string
	// Opening is the start of the customer's first message (at most MaxOpeningBytes),
	// shown on the card.
	Opening string
	// Raw is the source's request as it came (at most MaxRawBytes), kept for reference.
	Raw string
	// History is what the customer and the source's bot said before the request, oldest
	// first (HistoryLine); nil when the source gave none.
	History []HistoryLine

	Team      Team
	Status    Status
	Assignee  Agent  // zero while pending
	Inbox     string // inbox channel id, once the first pick opened it; kept across transfers
	Card      Card   // the current card, in Team's ticketing channel, once posted
	Transfers []Transfer

	CreatedAt time.Time
	PickedAt  time.Time // the latest pick
	ClosedAt  time.Time
	UpdatedAt time.Time

	ClosedBy    Agent  // zero when the source closed it
	CloseReason string // why it closed (agent's words, or the source's reason)
	BySource    bool   // the source closed it
	HandedBack  bool   // it went back to the source's own desk (HandBacker)

	// CSAT is the customer's rating of the chat, once given.
	CSAT *CSAT

	// Statuses are the changes between active, waiting on the customer and on hold,
	// oldest first (picks, transfers and closes are recorded as they always were).
	Statuses []StatusChange

	// Responded is when the ticket's first response reached the customer: the first
	// message an agent wrote to them (a pick alone is no response).
	Responded time.Time
	// Awaiting is since when a customer message, written after the first response, waits
	// for an answer; zero while none waits.
	Awaiting time.Time
	// Watch is how the ticket's team watches it, as its policy (SLAPolicy) says.
	Watch Watch
	// Alerted are the SLA alerts carried out (Store.ClaimAlert), by name.
	Alerted map[string]bool
	// CardDue says what of its clocks the card showed when the SLA group last refreshed
	// it (Store.SetCardDue): the group refreshes it only when that changes.
	CardDue string
	// Due are the ticket's running SLA clocks, soonest due first, as the Service worked
	// them out for the desk to show; not stored.
	Due []DueClock
	// Measured is what its clocks measured, as the Service worked it out for the sinks;
	// not stored.
	Measured SLAReport

	// Syncs is where the ticket stands with each sink that recorded it, by sink name.
	Syncs map[string]SyncStatus

	// Details: what the team (or AI) says about the ticket. Summary above is one of them.
	Title      string
	Urgency    Urgency
	Sentiment  Sentiment
	Tags       []string
	AITags     []string          // tags suggested by AI
	Categories map[string]string // category name → value, for the categories set
	// Origins says who set each detail (by field name); a field missing is the default.
	Origins map[string]Origin
	// Edits are the changes of the details, oldest first.
	Edits []Edit
}

// CSAT is a customer's satisfaction rating of a closed chat.
type CSAT struct {
	Rating  int       `json:"rating"` // 1 (bad) to 5 (great)
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// IsOpen reports whether the ticket is pending or active.
func (t *Ticket) IsOpen() bool { return t.Status.IsOpen() }

// InThread reports whether the ticket is a customer channel's request (SourceSlack): its
// conversation is a Slack thread the customer and the agents both write in, so it has no
// inbox channel, its customer's messages are read there, and its agents' answers are
// there already.
func (t *Ticket) InThread() bool { return t.Source == SourceSlack }

// Watch is how a team's policy has the store watch a ticket (Store.SetWatch).
type Watch struct {
	// Clocks: the team has an SLA policy; the store tells the outbox when a clock starts
	// or stops (EventClock).
	Clocks bool
	// AutoWait: the agent's message to the customer sets an active ticket waiting on the
	// customer (SLAPolicy.AutoWaiting).
	AutoWait bool
}

// ForRelay is the part of t a message's event carries (Event.Ticket): what relaying a
// message needs, and nothing else.
func (t *Ticket) ForRelay() *Ticket {
	return &Ticket{ID: t.ID, Number: t.Number, Source: t.Source, ConversationID: t.ConversationID,
		Customer: t.Customer, Status: t.Status, Inbox: t.Inbox, Card: t.Card}
}
