package gladly

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Tickets is the part of the ticket service the Processor uses (tickets.Service): the
// one inbound use case. It returns tickets.ErrInvalid, tickets.ErrNotConfigured, or
// tickets.ErrNotFound without an open ticket (and no request to open one).
type Tickets interface {
	Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error)
}

var _ Tickets = (*tickets.Service)(nil)

// Why tickets close when Gladly says so.
const (
	reasonClosed   = "closed in Gladly"
	reasonTakenOff = "taken over in Gladly"
)

// Processor works through the Gladly events the Handler queued (a tickets.Handler for
// the inbound queue, which hands it one conversation's events in order): customers'
// messages in the AI inbox open tickets or are relayed to them, and conversations closed
// in Gladly or moved away from the AI inbox close theirs.
type Processor struct {
	api      *Client
	tk       Tickets
	log      *zap.Logger
	aiInbox  string
	agentID  string
	retryFor time.Duration
	now      func() time.Time
	// fileLink links customers' files Gladly keeps (options.fileLink); nil names them.
	fileLink func(ctx context.Context, ref string) (string, error)
}

// newProcessor returns the processor of queued Gladly events, which reads Gladly through
// api and hands the outcome to tk; Connect checked o's Config.
func newProcessor(o options, api *Client, tk Tickets, log *zap.Logger) (*Processor, error) {
	if api == nil {
		return nil, errors.New("gladly: the processor needs the Gladly client")
	}
	if tk == nil {
		return nil, errors.New("gladly: the processor needs the ticket service")
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Processor{
		api: api, tk: tk, log: log.Named("gladly"), aiInbox: o.AIInboxID, agentID: o.AgentID,
		retryFor: o.RetryFor, now: time.Now, fileLink: o.fileLink,
	}, nil
}

// Process works through one queued event: ev.Type must be tickets.EventInbound and
// ev.Source Source (other events are none of its business: nil), and ev.Payload the
// webhook as the Handler took it.
//
// Errors follow the queue's rules: a payload that does not parse, and a refusal by the
// ticket service (tickets.ErrInvalid), are permanent; Gladly's answers are classified
// as the Client's (429 a *tickets.RetryAfterError, 5xx and network errors transient until
// RetryFor has passed since Gladly recorded the event, any other 4xx permanent with
// Gladly's errors[]); anything else is transient.
func (p *Processor) Process(ctx context.Context, ev tickets.Event) error {
	if ev.Type != tickets.EventInbound || ev.Source != Source {
		return nil
	}
	e, err := parseEnvelope([]byte(ev.Payload))
	if err != nil {
		return tickets.Permanent(fmt.Errorf("gladly: queued event of conversation %s: %w", ev.ConversationID, err))
	}
	conv := e.Content.ConversationID
	if conv == "" {
		conv = ev.ConversationID
	}
	if conv == "" {
		return tickets.Permanent(fmt.Errorf("gladly: queued %s event %s has no conversation", e.Type, e.ID))
	}
	log := p.log.With(zap.String("type", e.Type), zap.String("event", e.ID), zap.String("conversation", conv))
	switch e.Type {
	case typeContactMessage, typeMessage:
		err = p.message(ctx, log, e, conv, ev.Payload)
	case typeClosed:
		err = p.close(ctx, log, conv, reasonClosed)
	case typeAssignee:
		err = p.assigneeChanged(ctx, log, e, conv, ev.Payload)
	case typeStatus:
		err = p.statusChanged(ctx, log, e, conv)
	}
	return err
}

// gladlyErr bounds the retries of a failed call to Gladly for event e.
func (p *Processor) gladlyErr(err error, e *envelope) error {
	return httpsrc.GiveUpAfter(err, e.at(), p.now(), p.retryFor)
}

// serviceErr says what the queue should do about an error of the ticket service.
func serviceErr(err error) error {
	if errors.Is(err, tickets.ErrInvalid) {
		return tickets.Permanent(err)
	}
	return err
}

// ours reports whether a conversation assigned to a is Frontdesk's: in the AI inbox, or
// assigned to the API user's agent.
func (p *Processor) ours(a assignee) bool {
	return a.InboxID == p.aiInbox || (a.AgentID != "" && a.AgentID == p.agentID)
}

// message opens a ticket for a customer's message in a conversation of Frontdesk's, or
// relays it to the open one. Where the conversation is comes from the event's context,
// or, when the event has none (MESSAGE/RECEIVED), from the conversation itself.
func (p *Processor) message(ctx context.Context, log *zap.Logger, e *envelope, conv, raw string) error {
	itemID := e.Content.itemID()
	if itemID == "" {
		return tickets.Permanent(fmt.Errorf("gladly: %s event %s names no message", e.Type, e.ID))
	}
	customerID := e.Content.CustomerID
	a := e.Content.Context.Assignee
	if a == nil {
		c, err := p.api.conversation(ctx, conv)
		if err != nil {
			return p.gladlyErr(err, e)
		}
		a = &assignee{InboxID: c.InboxID, AgentID: c.AgentID}
		if customerID == "" {
			customerID = c.CustomerID
		}
	}
	if !p.ours(*a) {
		log.Debug("not in the AI inbox: ignored", zap.String("inbox", a.InboxID), zap.String("agent", a.AgentID))
		return nil
	}
	it, err := p.api.item(ctx, itemID)
	if err != nil {
		return p.gladlyErr(err, e)
	}
	if it.Initiator.Type != "" && it.Initiator.Type != initiatorCustomer {
		log.Debug("not the customer's message: ignored", zap.String("item", itemID), zap.String("initiator", it.Initiator.Type))
		return nil
	}
	if customerID == "" {
		customerID = it.CustomerID
	}
	customer, err := p.customer(ctx, log, customerID, e)
	if err != nil {
		return err
	}
	if e.Content.Channel != "" {
		if customer.Fields == nil {
			customer.Fields = map[string]string{}
		}
		customer.Fields["channel"] = e.Content.Channel
	}
	m, err := p.customerMessage(ctx, it, itemID)
	if err != nil {
		return err
	}
	res, err := p.tk.Inbound(ctx, request(conv, customer, raw, m))
	if err != nil {
		return serviceErr(err)
	}
	log.Debug("message taken", zap.Int64("ticket", res.State.Number), zap.String("item", itemID),
		zap.Bool("opened", res.Opened), zap.Int("added", res.Added), zap.Bool("rated", res.Rated))
	return nil
}

// request is a customer's live chat request in conversation conv with messages msgs: it
// opens the conversation's ticket unless one is open, and adds them.
func request(conv string, customer tickets.Customer, raw string, msgs ...tickets.Message) tickets.Inbound {
	in := tickets.Inbound{Source: Source, ConversationID: conv, Request: &tickets.Request{Customer: customer}, Messages: msgs}
	if len(raw) <= tickets.MaxRawBytes {
		in.Request.Raw = raw
	}
	return in
}

// customer describes customer id from their Gladly profile. A customer merged into
// another is followed to the new id, which the ticket then carries. A profile Gladly
// refuses for good (deleted, not readable by the API user) leaves only the id: the
// message matters more than the name.
func (p *Processor) customer(ctx context.Context, log *zap.Logger, id string, e *envelope) (tickets.Customer, error) {
	if id == "" {
		return tickets.Customer{}, nil
	}
	pr, id, err := p.api.profile(ctx, id)
	if tickets.IsPermanent(err) {
		log.Warn("customer profile unavailable: the ticket shows the customer id only", zap.String("customer", id), zap.Error(err))
		return tickets.Customer{ID: id}, nil
	}
	if err != nil {
		return tickets.Customer{}, p.gladlyErr(err, e)
	}
	return customerOf(id, pr), nil
}

// close closes the conversation's open ticket, if it has one.
func (p *Processor) close(ctx context.Context, log *zap.Logger, conv, reason string) error {
	res, err := p.tk.Inbound(ctx, tickets.Inbound{Source: Source, ConversationID: conv, Close: &tickets.SourceClose{Reason: reason}})
	if errors.Is(err, tickets.ErrNotFound) {
		log.Debug("no open ticket to close")
		return nil
	}
	if err != nil {
		return serviceErr(err)
	}
	log.Debug("ticket closed", zap.Int64("ticket", res.State.Number), zap.String("reason", reason))
	return nil
}

// assigneeChanged follows a conversation that changed hands. Moved away from Frontdesk
// (an inbox and agent other than its own): someone in Gladly took it over, and its
// ticket closes. Moved in (a rule, a bot's hand-off, a person's transfer) from somewhere
// else: the customer may have written already and will not write again, so the ticket
// opens at once with the messages so far (movedIn). Moved within Frontdesk's own (the API
// user answering assigns itself): nothing to do.
func (p *Processor) assigneeChanged(ctx context.Context, log *zap.Logger, e *envelope, conv, raw string) error {
	a := e.Content.Assignee
	if a == nil || (a.InboxID == "" && a.AgentID == "") {
		log.Debug("no new assignee: ignored")
		return nil
	}
	if !p.ours(*a) {
		return p.close(ctx, log, conv, reasonTakenOff)
	}
	if prev := e.Content.Context.Assignee; prev != nil && (prev.InboxID != "" || prev.AgentID != "") && p.ours(*prev) {
		return nil
	}
	return p.movedIn(ctx, log, e, conv, raw)
}

// maxBacklog is how many of the customer's messages a ticket opened by a move starts with
// at most (the latest ones).
const maxBacklog = 20

// movedIn opens the ticket of a conversation moved into Frontdesk's inbox, with the
// customer's messages so far: those since the conversation's latest message from anyone
// else (the ones nobody answered), or the customer's latest message when all were
// answered. A conversation without a message from the customer opens nothing: there is
// nothing to answer. Messages relayed before are not relayed twice.
func (p *Processor) movedIn(ctx context.Context, log *zap.Logger, e *envelope, conv, raw string) error {
	its, _, err := p.api.items(ctx, conv)
	if err != nil {
		return p.gladlyErr(err, e)
	}
	backlog := unanswered(its)
	if len(backlog) == 0 {
		log.Debug("moved in, but the customer wrote nothing yet: no ticket")
		return nil
	}
	customerID := e.Content.CustomerID
	if customerID == "" {
		customerID = backlog[0].CustomerID
	}
	customer, err := p.customer(ctx, log, customerID, e)
	if err != nil {
		return err
	}
	if ch := channelOf(backlog[len(backlog)-1].Content.Type); ch != "" {
		if customer.Fields == nil {
			customer.Fields = map[string]string{}
		}
		customer.Fields["channel"] = ch
	}
	msgs := make([]tickets.Message, len(backlog))
	for i := range backlog {
		if msgs[i], err = p.customerMessage(ctx, &backlog[i], backlog[i].ID); err != nil {
			return err
		}
	}
	res, err := p.tk.Inbound(ctx, request(conv, customer, raw, msgs...))
	if err != nil {
		return serviceErr(err)
	}
	log.Debug("moved into the AI inbox", zap.Int64("ticket", res.State.Number), zap.Bool("opened", res.Opened),
		zap.Int("messages", len(msgs)), zap.Int("added", res.Added))
	return nil
}

// unanswered picks the customer's messages of a timeline (oldest first) that came after
// the latest message from anyone else, at most maxBacklog; when there are none, the
// customer's latest message alone.
func unanswered(its []item) []item {
	var out []item
	var latest *item
	for i := range its {
		it := &its[i]
		if !messageTypes[it.Content.Type] || it.ID == "" {
			continue
		}
		if it.Initiator.Type != initiatorCustomer {
			out = out[:0]
			continue
		}
		out = append(out, *it)
		latest = it
	}
	if len(out) == 0 && latest != nil {
		out = append(out, *latest)
	}
	if len(out) > maxBacklog {
		out = out[len(out)-maxBacklog:]
	}
	return out
}

// channelOf names the channel of an item content type as CONTACT/* events do.
func channelOf(typ string) string {
	switch typ {
	case "CHAT_MESSAGE":
		return "CHAT"
	case "EMAIL", "SMS", "WHATSAPP", "INSTAGRAM_DIRECT":
		return typ
	case "FACEBOOK_MESSAGE":
		return "FB_MESSENGER"
	case customText, customFiles:
		return "CUSTOM_CHANNEL"
	}
	return ""
}

// statusChanged closes the ticket of a conversation whose new status is CLOSED; the event
// does not say the status, so the conversation is read.
func (p *Processor) statusChanged(ctx context.Context, log *zap.Logger, e *envelope, conv string) error {
	c, err := p.api.conversation(ctx, conv)
	if err != nil {
		return p.gladlyErr(err, e)
	}
	if c.Status != statusClosed {
		log.Debug("status is not closed: nothing to do", zap.String("status", c.Status))
		return nil
	}
	return p.close(ctx, log, conv, reasonClosed)
}

// itemID is the conversation item of a message event.
func (c *content) itemID() string {
	if c.MessageID != "" {
		return c.MessageID
	}
	return c.ConversationItemID
}

// at is when Gladly recorded the event; zero when the timestamp is missing or unreadable.
func (e *envelope) at() time.Time {
	t, err := time.Parse(time.RFC3339Nano, e.Timestamp)
	if err != nil {
		return time.Time{}
	}
	return t
}
