package bot

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// fakeTickets is an in-memory Tickets that keeps the ticket service's rules for what the
// Slack handlers do: a pending ticket becomes active on its first pick and a later pick
// is refused with *tickets.AlreadyPickedError; a transfer makes it pending in another
// team (tickets.ErrSameTeam when it waits there already, tickets.ErrUnknownTeam for a
// channel that is no team); End closes it, and a closed ticket refuses everything with
// tickets.ErrClosed. Agents' messages need an active ticket (tickets.ErrNotActive while
// pending), internal notes are taken in any status, and each is taken once per Slack ts.
// Settings are validated as the service does. It never calls Slack: the cards and inbox
// channels a test needs, it makes itself.
type fakeTickets struct {
	mu       sync.Mutex
	byID     map[tickets.ID]*tickets.Ticket
	msgs     map[tickets.ID][]tickets.Message
	settings tickets.Settings
	saved    int                   // settings saved by UpdateSettings
	setup    []tickets.SetupReport // what CheckSetup reports
	checks   int                   // CheckSetup calls
	rearmed  []string              // the teams RearmSLA was called for
	posts    []tickets.ChannelPost // what ChannelPost got
	picks    int                   // Pick calls that reached the service
	changed  chan struct{}         // closed and replaced with every call that may change something
	hold     chan struct{}         // when set, AgentMessage waits until it is closed (a slow store)
}

var _ Tickets = (*fakeTickets)(nil)

func newFakeTickets(st tickets.Settings) *fakeTickets {
	return &fakeTickets{byID: map[tickets.ID]*tickets.Ticket{}, msgs: map[tickets.ID][]tickets.Message{}, settings: st,
		changed: make(chan struct{})}
}

// touched closes changes. f.mu is held.
func (f *fakeTickets) touched() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// changes is closed by the next call that may change something.
func (f *fakeTickets) changes() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// ticket is a copy of ticket id as it is now (the zero Ticket when there is none).
func (f *fakeTickets) ticket(id tickets.ID) tickets.Ticket {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t := f.byID[id]; t != nil {
		return *t
	}
	return tickets.Ticket{}
}

// transcript is a copy of ticket id's messages.
func (f *fakeTickets) transcript(id tickets.ID) []tickets.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.msgs[id])
}

// current is the saved settings and how many times they were saved.
func (f *fakeTickets) current() (tickets.Settings, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.settings, f.saved
}

// setupChecks is how many CheckSetup calls reached the service.
func (f *fakeTickets) setupChecks() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.checks
}

// rearmedTeams are the teams RearmSLA was called for, in order.
func (f *fakeTickets) rearmedTeams() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rearmed)
}

// pickCalls is how many Pick calls reached the service.
func (f *fakeTickets) pickCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.picks
}

// open finds ticket id for a change: tickets.ErrNotFound, or tickets.ErrClosed when it
// is closed. f.mu is held.
func (f *fakeTickets) open(id tickets.ID) (*tickets.Ticket, error) {
	t := f.byID[id]
	switch {
	case t == nil:
		return nil, tickets.ErrNotFound
	case t.Status == tickets.StatusClosed:
		return nil, tickets.ErrClosed
	}
	return t, nil
}

// add stores t (a copy) as it is, numbered after the tickets before it.
func (f *fakeTickets) add(t tickets.Ticket) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Number = int64(len(f.byID) + 1)
	f.byID[t.ID] = &t
}

func validAgent(a tickets.Agent) error {
	if a.ID == "" {
		return fmt.Errorf("%w: agent id is required", tickets.ErrInvalid)
	}
	return nil
}

func (f *fakeTickets) Get(_ context.Context, id tickets.ID) (*tickets.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.byID[id]
	if t == nil {
		return nil, tickets.ErrNotFound
	}
	c := *t
	return &c, nil
}

func (f *fakeTickets) Waiting(_ context.Context, teamChannel string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, t := range f.byID {
		if t.Status == tickets.StatusPending && t.Team.ChannelID == teamChannel {
			n++
		}
	}
	return n, nil
}

func (f *fakeTickets) ByInbox(_ context.Context, channel string) (*tickets.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.inbox(channel)
	if t == nil {
		return nil, tickets.ErrNotFound
	}
	c := *t
	return &c, nil
}

// inbox is the ticket whose inbox channel is channel, or nil. f.mu is held.
func (f *fakeTickets) inbox(channel string) *tickets.Ticket {
	for _, t := range f.byID {
		if t.Inbox != "" && t.Inbox == channel {
			return t
		}
	}
	return nil
}

func (f *fakeTickets) Pick(_ context.Context, id tickets.ID, agent tickets.Agent) (*tickets.Ticket, error) {
	if err := validAgent(agent); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	f.picks++
	t, err := f.open(id)
	if err != nil {
		return nil, err
	}
	if t.Status == tickets.StatusActive {
		return nil, &tickets.AlreadyPickedError{By: t.Assignee}
	}
	t.Status, t.Assignee, t.PickedAt = tickets.StatusActive, agent, time.Now()
	c := *t
	return &c, nil
}

func (f *fakeTickets) AgentMessage(_ context.Context, channel string, m tickets.Message) (tickets.InboxAdded, error) {
	if m.Direction != tickets.FromAgent && m.Direction != tickets.Internal {
		return tickets.InboxAdded{}, fmt.Errorf("%w: direction %q", tickets.ErrInvalid, m.Direction)
	}
	if err := validAgent(m.Author); err != nil {
		return tickets.InboxAdded{}, err
	}
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	if hold != nil {
		<-hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	t := f.inbox(channel)
	if t == nil {
		return tickets.InboxAdded{}, tickets.ErrNotFound
	}
	if m.Direction == tickets.FromAgent {
		switch t.Status {
		case tickets.StatusClosed:
			return tickets.InboxAdded{}, tickets.ErrClosed
		case tickets.StatusPending:
			return tickets.InboxAdded{}, tickets.ErrNotActive
		}
	}
	c := *t
	for _, old := range f.msgs[t.ID] {
		if m.SourceMessageID != "" && old.SourceMessageID == m.SourceMessageID {
			return tickets.InboxAdded{Ticket: c.ID, Source: c.Source}, nil
		}
	}
	f.msgs[t.ID] = append(f.msgs[t.ID], m)
	return tickets.InboxAdded{Ticket: c.ID, Source: c.Source, Added: true}, nil
}

// AgentChange changes the inbox ticket's message in place, as the service's store does.
func (f *fakeTickets) AgentChange(_ context.Context, channel string, c tickets.MessageChange) (tickets.ChangeApplied, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	t := f.inbox(channel)
	if t == nil {
		return tickets.ChangeApplied{}, tickets.ErrNotFound
	}
	msgs := f.msgs[t.ID]
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Direction == c.Direction && msgs[i].SourceMessageID == c.SourceMessageID {
			now, changed := c.Apply(msgs[i], time.Now())
			msgs[i] = now
			return tickets.ChangeApplied{Message: now, Changed: changed}, nil
		}
	}
	return tickets.ChangeApplied{}, tickets.ErrNotFound
}

func (f *fakeTickets) Transfer(_ context.Context, id tickets.ID, toChannel string, by tickets.Agent) (*tickets.Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	team, ok := f.settings.TeamByChannel(toChannel)
	if !ok {
		return nil, tickets.ErrUnknownTeam
	}
	t, err := f.open(id)
	if err != nil {
		return nil, err
	}
	if t.Status == tickets.StatusPending && t.Team == team {
		return nil, tickets.ErrSameTeam
	}
	t.Transfers = append(t.Transfers, tickets.Transfer{From: t.Team, To: team, By: by, At: time.Now()})
	t.Team, t.Status, t.Assignee = team, tickets.StatusPending, tickets.Agent{}
	c := *t
	return &c, nil
}

func (f *fakeTickets) End(_ context.Context, id tickets.ID, by tickets.Agent, reason string) (*tickets.Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	if len(reason) > 2000 {
		return nil, fmt.Errorf("%w: reason is longer than 2000 bytes", tickets.ErrInvalid)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	t, err := f.open(id)
	if err != nil {
		return nil, err
	}
	t.Status, t.ClosedBy, t.CloseReason, t.ClosedAt = tickets.StatusClosed, by, reason, time.Now()
	c := *t
	return &c, nil
}

// SetStatus moves a picked ticket between active, waiting and on hold, as the service
// does: tickets.ErrNotActive while pending, tickets.ErrSameStatus to where it is,
// tickets.ErrInvalid for another status or a note or wake-up time without a hold.
func (f *fakeTickets) SetStatus(_ context.Context, id tickets.ID, by tickets.Agent, to tickets.Status, note string, wake time.Time) (*tickets.Ticket, error) {
	if err := validAgent(by); err != nil {
		return nil, err
	}
	if !to.Picked() || to != tickets.StatusOnHold && (note != "" || !wake.IsZero()) || !wake.IsZero() && !wake.After(time.Now()) {
		return nil, fmt.Errorf("%w: status %q, note %q, wake-up %v", tickets.ErrInvalid, to, note, wake)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	t, err := f.open(id)
	switch {
	case err != nil:
		return nil, err
	case !t.Status.Picked():
		return nil, tickets.ErrNotActive
	case t.Status == to:
		return nil, tickets.ErrSameStatus
	}
	t.Statuses = append(t.Statuses, tickets.StatusChange{From: t.Status, To: to, At: time.Now(), By: by, Note: note, WakeAt: wake})
	t.Status = to
	c := *t
	return &c, nil
}

// Queues lists the open tickets, mine and by team, oldest first (the fake knows no SLAs).
func (f *fakeTickets) Queues(_ context.Context, agent tickets.AgentID) (tickets.Queues, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var open []*tickets.Ticket
	for _, t := range f.byID {
		if t.IsOpen() {
			c := *t
			open = append(open, &c)
		}
	}
	slices.SortFunc(open, func(a, b *tickets.Ticket) int { return a.CreatedAt.Compare(b.CreatedAt) })
	var q tickets.Queues
	for _, t := range open {
		if t.Status.Picked() && t.Assignee.ID == agent {
			q.Mine = append(q.Mine, t)
		}
	}
	for _, team := range f.settings.TicketingChannels {
		tq := tickets.TeamQueue{Team: team}
		for _, t := range open {
			if t.Team.ChannelID == team.ChannelID {
				tq.Tickets = append(tq.Tickets, t)
			}
		}
		q.Teams = append(q.Teams, tq)
	}
	return q, nil
}

// notFaked is the error of the methods these tests do not use: it names the method.
type notFaked string

func (m notFaked) Error() string { return "fakeTickets: " + string(m) + " is not faked" }

func (f *fakeTickets) RetryDelivery(context.Context, tickets.ID, string, tickets.Agent) (*tickets.Ticket, error) {
	return nil, notFaked("RetryDelivery")
}

// CanHandBack: no source of these tests takes chats back.
func (f *fakeTickets) CanHandBack(*tickets.Ticket) bool { return false }

func (f *fakeTickets) HandBack(context.Context, tickets.ID, tickets.Agent, string) (*tickets.Ticket, error) {
	return nil, fmt.Errorf("%w: the source cannot take chats back", tickets.ErrInvalid)
}

func (f *fakeTickets) Settings(context.Context) (*tickets.Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.settings
	return &st, nil
}

func (f *fakeTickets) UpdateSettings(_ context.Context, st tickets.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	f.settings = st
	f.saved++
	return nil
}

func (f *fakeTickets) CheckSetup(context.Context) ([]tickets.SetupReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	f.checks++
	return slices.Clone(f.setup), nil
}

func (f *fakeTickets) RearmSLA(_ context.Context, team string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	f.rearmed = append(f.rearmed, team)
	n := 0
	for _, t := range f.byID {
		if t.IsOpen() && t.Team.ChannelID == team {
			n++
		}
	}
	return n, nil
}

func (f *fakeTickets) CustomerChannel(_ context.Context, channel string) (tickets.CustomerChannel, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.settings.CustomerChannelOf(channel)
	return c, ok, nil
}

// ChannelPost records p; it opens nothing. A message read back from history (p.Replay)
// that it has is not taken again, as the service would not.
func (f *fakeTickets) ChannelPost(_ context.Context, p tickets.ChannelPost) (tickets.ChannelOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.touched()
	if p.Replay && slices.ContainsFunc(f.posts, func(q tickets.ChannelPost) bool { return q.Channel == p.Channel && q.TS == p.TS }) {
		return tickets.ChannelOutcome{Ignored: tickets.IgnoredTaken}, nil
	}
	f.posts = append(f.posts, p)
	return tickets.ChannelOutcome{}, nil
}

func (f *fakeTickets) CardReply(context.Context, string, string, tickets.Message) (tickets.TicketState, bool, error) {
	return tickets.TicketState{}, false, tickets.ErrNotFound
}

func (f *fakeTickets) ChannelChange(context.Context, string, string, tickets.MessageChange) (tickets.ChangeApplied, error) {
	return tickets.ChangeApplied{}, tickets.ErrNotFound
}

func (f *fakeTickets) ChannelTicket(context.Context, string, string, string) (*tickets.Ticket, error) {
	return nil, tickets.ErrNotFound
}

func (f *fakeTickets) RateAs(context.Context, string, string, string, int) (*tickets.Ticket, error) {
	return nil, notFaked("RateAs")
}

// CatchUpFrom reads from lookback before the trouble.
func (f *fakeTickets) CatchUpFrom(_ context.Context, _ string, trouble time.Time, lookback time.Duration) (string, error) {
	return slackTS(trouble.Add(-lookback)), nil
}

// NotTaken: the messages ChannelPost did not get.
func (f *fakeTickets) NotTaken(_ context.Context, channel string, ts []string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(ts), func(t string) bool {
		return slices.ContainsFunc(f.posts, func(p tickets.ChannelPost) bool { return p.Channel == channel && p.TS == t })
	}), nil
}

// CaughtUp: the fake forgets it (its CatchUpFrom reads from lookback before the trouble).
func (f *fakeTickets) CaughtUp(context.Context, string, string) error { return nil }

// OpenThreads: the fake opens no request.
func (f *fakeTickets) OpenThreads(context.Context) (map[string][]string, error) { return nil, nil }

// channelPosts are the customer channels' messages ChannelPost got, in order.
func (f *fakeTickets) channelPosts() []tickets.ChannelPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posts)
}

func (f *fakeTickets) UpdateDetails(context.Context, tickets.ID, tickets.Agent, tickets.DetailsChange) (*tickets.Ticket, error) {
	return nil, notFaked("UpdateDetails")
}

func (f *fakeTickets) Transcript(_ context.Context, id tickets.ID) ([]tickets.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byID[id] == nil {
		return nil, tickets.ErrNotFound
	}
	return slices.Clone(f.msgs[id]), nil
}

// memSeen is a Deduper in memory.
type memSeen struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (m *memSeen) Seen(_ context.Context, scope, id string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	key := scope + "\x00" + id
	first := !m.seen[key]
	m.seen[key] = true
	return first, nil
}

func (m *memSeen) Known(_ context.Context, scope, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[scope+"\x00"+id], nil
}
