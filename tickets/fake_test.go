package tickets

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// fakeStore is an in-memory Store that keeps the contract in ports.go, including its edge
// behaviour (AlreadyPickedError on a second pick, ErrSameTeam, dedupe by source message id),
// so the Service can be tested without Redis. store.Redis is tested against the same rules.
type fakeStore struct {
	mu       sync.Mutex
	seq      int64
	tickets  map[ID]*Ticket
	convs    map[string]ID
	last     map[string]ID // conversation → latest closed ticket
	inboxes  map[string]ID
	messages map[ID][]Message
	held     map[ID][]Event
	seen     map[string]bool
	cards    map[ID]map[string]Card
	cardEv   map[ID]string
	settings *Settings
	events   []Event
	evSeq    int
	timers   []timer
	inbound  []Event
	// fail, when set, is returned by every method (an infrastructure failure).
	fail error
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		tickets: map[ID]*Ticket{}, convs: map[string]ID{}, last: map[string]ID{}, inboxes: map[string]ID{},
		messages: map[ID][]Message{}, held: map[ID][]Event{}, seen: map[string]bool{},
		cards: map[ID]map[string]Card{}, cardEv: map[ID]string{},
	}
}

var _ Store = (*fakeStore)(nil)

func convKey(source, conv string) string { return source + "\x00" + conv }

func (f *fakeStore) emit(ev Event) string {
	f.evSeq++
	ev.ID = fmt.Sprintf("ev%d", f.evSeq)
	f.events = append(f.events, ev)
	return ev.ID
}

// snapshot returns a deep enough copy of ticket id with its current card resolved.
func (f *fakeStore) snapshot(id ID) *Ticket {
	t := *f.tickets[id]
	t.Transfers = slices.Clone(t.Transfers)
	if t.CSAT != nil {
		c := *t.CSAT
		t.CSAT = &c
	}
	t.Card = f.cards[id][f.cardEv[id]]
	t.Syncs = maps.Clone(t.Syncs)
	t.Categories, t.Origins = maps.Clone(t.Categories), maps.Clone(t.Origins)
	t.Tags, t.AITags, t.Edits = slices.Clone(t.Tags), slices.Clone(t.AITags), slices.Clone(t.Edits)
	return &t
}

// Inbound opens, adds and closes as the Store's contract says, in one step.
func (f *fakeStore) Inbound(_ context.Context, w InboundWrite) (InboundApplied, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return InboundApplied{}, f.fail
	}
	var res InboundApplied
	id, ok := f.convs[convKey(w.Source, w.ConversationID)]
	skip := -1
	if !ok {
		if w.Open == nil {
			return InboundApplied{}, ErrNotFound
		}
		var first *Message
		if i := opening(w.Messages); i >= 0 {
			first, skip = &w.Messages[i], i
		}
		id, res.Opened = f.open(w.Open, first), true
	}
	for i, m := range w.Messages {
		if i == skip {
			res.Added = append(res.Added, true)
			continue
		}
		added, err := f.addMessage(id, m)
		if err != nil {
			return InboundApplied{}, err
		}
		res.Added = append(res.Added, added)
	}
	if w.Close != nil {
		if _, err := f.close(id, *w.Close); err != nil {
			return InboundApplied{}, err
		}
		res.Closed = true
	}
	res.Ticket = f.snapshot(id)
	return res, nil
}

// open creates t with first as its opening message. f.mu is held.
func (f *fakeStore) open(t *Ticket, first *Message) ID {
	f.seq++
	nt := *t
	nt.Number = f.seq
	nt.ID = ID(fmt.Sprint(f.seq))
	f.tickets[nt.ID] = &nt
	f.convs[convKey(t.Source, t.ConversationID)] = nt.ID
	f.cards[nt.ID] = map[string]Card{}
	f.cardEv[nt.ID] = f.emit(Event{Type: EventOpened, TicketID: nt.ID, At: t.CreatedAt, To: t.Team})
	if first != nil {
		f.messages[nt.ID] = append(f.messages[nt.ID], *first)
		m := *first
		f.held[nt.ID] = append(f.held[nt.ID], Event{Type: EventMessage, TicketID: nt.ID, At: m.At, Message: &m, Place: PlaceInbox, Replay: true})
		if m.SourceMessageID != "" {
			f.seen[string(nt.ID)+"/"+string(m.Direction)+"/"+m.SourceMessageID] = true
		}
	}
	return nt.ID
}

func (f *fakeStore) get(id ID) (*Ticket, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	t, ok := f.tickets[id]
	if !ok {
		return nil, ErrNotFound
	}
	return t, nil
}

func (f *fakeStore) Get(_ context.Context, id ID) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id); err != nil {
		return nil, err
	}
	return f.snapshot(id), nil
}

func (f *fakeStore) FindOpen(_ context.Context, source, conv string) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	id, ok := f.convs[convKey(source, conv)]
	if !ok {
		return nil, ErrNotFound
	}
	return f.snapshot(id), nil
}

func (f *fakeStore) FindLastClosed(_ context.Context, source, conv string) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.last[convKey(source, conv)]
	if !ok {
		return nil, ErrNotFound
	}
	return f.snapshot(id), nil
}

func (f *fakeStore) Rate(_ context.Context, id ID, c CSAT) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.get(id)
	if err != nil {
		return err
	}
	if t.Status != StatusClosed {
		return invalidf("ticket %s is not closed", id)
	}
	t.CSAT = &c
	f.emit(Event{Type: EventRated, TicketID: id, At: c.At})
	return nil
}

func (f *fakeStore) SetSync(_ context.Context, id ID, sink string, st SyncStatus) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.get(id)
	if err != nil {
		return err
	}
	var prev *SyncStatus
	if p, ok := t.Syncs[sink]; ok {
		prev = &p
	}
	if t.Syncs == nil {
		t.Syncs = map[string]SyncStatus{}
	}
	t.Syncs[sink] = st
	if SyncNews(prev, st) {
		f.emit(Event{Type: EventSynced, TicketID: id, At: st.At, Sink: sink, Sync: &st})
	}
	return nil
}

func (f *fakeStore) UpdateDetails(_ context.Context, id ID, changes []FieldChange, origin Origin, by Agent, at time.Time) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.get(id)
	if err != nil {
		return nil, err
	}
	if t.Origins == nil {
		t.Origins = map[string]Origin{}
	}
	var changed []string
	for _, c := range changes {
		if origin == OriginAI && t.Origins[c.Field] == OriginAgent {
			continue
		}
		var cur string
		switch name, isCat := strings.CutPrefix(c.Field, FieldCategoryPrefix); {
		case isCat:
			cur = t.Categories[name]
		case c.Field == FieldTitle:
			cur = t.Title
		case c.Field == FieldSummary:
			cur = t.Summary
		case c.Field == FieldUrgency:
			cur = string(t.Urgency)
		case c.Field == FieldSentiment:
			cur = string(t.Sentiment)
		case c.Field == FieldTags:
			cur = encodeTags(t.Tags)
		case c.Field == FieldAITags:
			cur = encodeTags(t.AITags)
		}
		if cur == c.Value {
			continue
		}
		switch name, isCat := strings.CutPrefix(c.Field, FieldCategoryPrefix); {
		case isCat:
			if t.Categories == nil {
				t.Categories = map[string]string{}
			}
			t.Categories[name] = c.Value
			if c.Value == "" {
				delete(t.Categories, name)
			}
		case c.Field == FieldTitle:
			t.Title = c.Value
		case c.Field == FieldSummary:
			t.Summary = c.Value
		case c.Field == FieldUrgency:
			t.Urgency = Urgency(c.Value)
		case c.Field == FieldSentiment:
			t.Sentiment = Sentiment(c.Value)
		case c.Field == FieldTags:
			t.Tags = DecodeTags(c.Value)
		case c.Field == FieldAITags:
			t.AITags = DecodeTags(c.Value)
		}
		t.Origins[c.Field] = origin
		t.Edits = append(t.Edits, Edit{Field: c.Field, Value: strings.Join(DecodeTags(c.Value), ", "), Origin: origin, By: by, At: at})
		changed = append(changed, c.Field)
	}
	if len(changed) > 0 {
		t.UpdatedAt = at
		f.emit(Event{Type: EventUpdated, TicketID: id, At: at, Actor: by, Fields: changed})
	}
	return f.snapshot(id), nil
}

func (f *fakeStore) FindByInbox(_ context.Context, ch string) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	id, ok := f.inboxes[ch]
	if !ok {
		return nil, ErrNotFound
	}
	return f.snapshot(id), nil
}

func (f *fakeStore) Pick(_ context.Context, id ID, agent Agent, at time.Time) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.get(id)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case StatusClosed:
		return nil, ErrClosed
	case StatusActive:
		return nil, &AlreadyPickedError{By: t.Assignee}
	}
	t.Status, t.Assignee, t.PickedAt, t.UpdatedAt = StatusActive, agent, at, at
	f.emit(Event{Type: EventPicked, TicketID: id, At: at, Actor: agent, AfterTransfer: len(t.Transfers) > 0})
	for _, ev := range f.held[id] {
		f.emit(ev)
	}
	delete(f.held, id)
	return f.snapshot(id), nil
}

func (f *fakeStore) Transfer(_ context.Context, id ID, to Team, by Agent, at time.Time) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.get(id)
	if err != nil {
		return nil, err
	}
	if t.Status == StatusClosed {
		return nil, ErrClosed
	}
	if t.Status == StatusPending && t.Team.ChannelID == to.ChannelID {
		return nil, ErrSameTeam
	}
	from := t.Team
	t.Transfers = append(t.Transfers, Transfer{From: from, To: to, By: by, At: at})
	t.Team, t.Status, t.Assignee, t.UpdatedAt = to, StatusPending, Agent{}, at
	prev := f.cardEv[id]
	f.cardEv[id] = f.emit(Event{Type: EventTransferred, TicketID: id, At: at, Actor: by, From: from, To: to, PrevCardEvent: prev})
	return f.snapshot(id), nil
}

func (f *fakeStore) Close(_ context.Context, id ID, c Closing) (*Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.close(id, c)
}

// close closes ticket id. f.mu is held.
func (f *fakeStore) close(id ID, c Closing) (*Ticket, error) {
	t, err := f.get(id)
	if err != nil {
		return nil, err
	}
	if t.Status == StatusClosed {
		return nil, ErrClosed
	}
	if c.IfPending && t.Status == StatusActive {
		return nil, ErrNotActive
	}
	t.Status, t.ClosedAt, t.UpdatedAt, t.ClosedBy, t.CloseReason = StatusClosed, c.At, c.At, c.By, c.Reason
	t.BySource, t.HandedBack = c.BySource, c.HandBack
	if k := convKey(t.Source, t.ConversationID); f.convs[k] == id {
		delete(f.convs, k)
	}
	f.last[convKey(t.Source, t.ConversationID)] = id
	delete(f.held, id)
	f.emit(Event{Type: EventClosed, TicketID: id, At: c.At, Actor: c.By, Reason: c.Reason, BySource: c.BySource, HandedBack: c.HandBack})
	return f.snapshot(id), nil
}

func (f *fakeStore) AddMessage(_ context.Context, id ID, m Message) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addMessage(id, m)
}

// addMessage adds m to ticket id. f.mu is held.
func (f *fakeStore) addMessage(id ID, m Message) (bool, error) {
	t, err := f.get(id)
	if err != nil {
		return false, err
	}
	ev := Event{Type: EventMessage, TicketID: id, At: m.At, Actor: m.Author, Message: &m}
	switch m.Direction {
	case FromCustomer, FromSourceAgent:
		switch t.Status {
		case StatusClosed:
			return false, ErrClosed
		case StatusPending:
			ev.Place = PlaceCard
		default:
			ev.Place = PlaceInbox
		}
	case FromAgent, Notice:
		switch t.Status {
		case StatusClosed:
			return false, ErrClosed
		case StatusPending:
			return false, ErrNotActive
		}
	}
	if m.SourceMessageID != "" {
		k := string(id) + "/" + string(m.Direction) + "/" + m.SourceMessageID
		if f.seen[k] {
			return false, nil
		}
		f.seen[k] = true
	}
	if ev.Place == PlaceCard {
		h := ev
		h.Place, h.Replay = PlaceInbox, true
		f.held[id] = append(f.held[id], h)
	}
	f.messages[id] = append(f.messages[id], m)
	t.UpdatedAt = m.At
	f.emit(ev)
	return true, nil
}

// addAndGet adds m to ticket id, as AddMessage, and returns the ticket as it is after.
func (f *fakeStore) addAndGet(ctx context.Context, id ID, m Message) (*Ticket, bool, error) {
	added, err := f.AddMessage(ctx, id, m)
	if err != nil {
		return nil, false, err
	}
	t, err := f.Get(ctx, id)
	return t, added, err
}

// AddInboxMessage adds m to the channel's ticket, as FindByInbox and AddMessage.
func (f *fakeStore) AddInboxMessage(ctx context.Context, channel string, m Message) (*Ticket, bool, error) {
	if m.Direction != FromAgent && m.Direction != Internal {
		return nil, false, ErrInvalid
	}
	t, err := f.FindByInbox(ctx, channel)
	if err != nil {
		return nil, false, err
	}
	return f.addAndGet(ctx, t.ID, m)
}

// Enqueue keeps source events in inbound, once per (source, event id).
func (f *fakeStore) Enqueue(_ context.Context, source, conv, eventID, payload string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := "inbound/" + source + "/" + eventID
	if f.seen[k] {
		return false, nil
	}
	f.seen[k] = true
	f.inbound = append(f.inbound, Event{Type: EventInbound, Source: source, ConversationID: conv, Payload: payload})
	return true, nil
}

// Schedule keeps the event in timers; fire moves the due ones to the outbox.
func (f *fakeStore) Schedule(_ context.Context, id ID, ev Event, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id); err != nil {
		return err
	}
	for _, tm := range f.timers {
		if tm.at.Equal(at) && reflect.DeepEqual(tm.ev, ev) {
			return nil
		}
	}
	f.timers = append(f.timers, timer{at, ev})
	return nil
}

type timer struct {
	at time.Time
	ev Event
}

// fire moves the timers due at now into the outbox.
func (f *fakeStore) fire(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var left []timer
	for _, tm := range f.timers {
		if tm.at.After(now) {
			left = append(left, tm)
			continue
		}
		f.emit(tm.ev)
	}
	f.timers = left
}

func (f *fakeStore) AddEvent(_ context.Context, id ID, ev Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id); err != nil {
		return err
	}
	f.emit(ev)
	return nil
}

func (f *fakeStore) Messages(_ context.Context, id ID) ([]Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id); err != nil {
		return nil, err
	}
	return slices.Clone(f.messages[id]), nil
}

func (f *fakeStore) SetCard(_ context.Context, id ID, event string, c Card) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id); err != nil {
		return err
	}
	f.cards[id][event] = c
	return nil
}

func (f *fakeStore) CardOf(_ context.Context, id ID, event string) (Card, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(id); err != nil {
		return Card{}, err
	}
	c, ok := f.cards[id][event]
	if !ok {
		return Card{}, ErrNotFound
	}
	return c, nil
}

func (f *fakeStore) SetInbox(_ context.Context, id ID, ch string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.get(id)
	if err != nil {
		return err
	}
	t.Inbox = ch
	f.inboxes[ch] = id
	return nil
}

func (f *fakeStore) LoadSettings(context.Context) (*Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	if f.settings == nil {
		return nil, ErrNotFound
	}
	s := *f.settings
	return &s, nil
}

func (f *fakeStore) SaveSettings(_ context.Context, s *Settings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	c := *s
	f.settings = &c
	return nil
}

// drain returns the events emitted since the last drain.
func (f *fakeStore) drain() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs := f.events
	f.events = nil
	return evs
}

// calls records side-effect calls as readable lines, e.g. "desk.PostCard 1 C1 ev1".
type calls struct {
	mu    sync.Mutex
	lines []string
	// fail makes the next call whose line starts with the key fail with the value.
	fail map[string]error
}

func (c *calls) add(format string, args ...any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	line := fmt.Sprintf(format, args...)
	for prefix, err := range c.fail {
		if strings.HasPrefix(line, prefix) {
			delete(c.fail, prefix)
			return err
		}
	}
	c.lines = append(c.lines, line)
	return nil
}

func (c *calls) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.lines
	c.lines = nil
	return l
}

type fakeDesk struct {
	*calls
	nextTS int
}

var _ Desk = (*fakeDesk)(nil)

func (d *fakeDesk) PostCard(_ context.Context, t *Ticket, team Team, notify []AgentID, key string) (Card, error) {
	if err := d.add("desk.PostCard %s %s %v %s", t.ID, team.ChannelID, notify, key); err != nil {
		return Card{}, err
	}
	d.nextTS++
	return Card{Channel: team.ChannelID, TS: fmt.Sprintf("ts%d", d.nextTS)}, nil
}

func (d *fakeDesk) UpdateCard(_ context.Context, t *Ticket, c Card, key string) error {
	return d.add("desk.UpdateCard %s %s/%s %s %s", t.ID, c.Channel, c.TS, t.Status, key)
}

func (d *fakeDesk) OpenInbox(ctx context.Context, t *Ticket, members []AgentID, intro bool, created func(context.Context, string) error, key string) (Card, error) {
	c := Card{Channel: t.Inbox}
	if c.Channel == "" {
		c.Channel = "G" + string(t.ID)
		if err := created(ctx, c.Channel); err != nil {
			return Card{}, err
		}
	}
	if intro {
		c.TS = "1.000"
	}
	return c, d.add("desk.OpenInbox %s %s %v %s", t.ID, c.Channel, members, key)
}

func (d *fakeDesk) Post(_ context.Context, t *Ticket, m Message, place Place, key string) error {
	return d.add("desk.Post %s %s %q %s", t.ID, place, m.Text, key)
}

func (d *fakeDesk) Notice(_ context.Context, t *Ticket, ev Event, key string) error {
	return d.add("desk.Notice %s %s %s", t.ID, ev.Type, key)
}

func (d *fakeDesk) ArchiveInbox(_ context.Context, t *Ticket, key string) error {
	return d.add("desk.ArchiveInbox %s %s %s", t.ID, t.Inbox, key)
}

func (d *fakeDesk) Remind(_ context.Context, t *Ticket, c Card, key string) error {
	return d.add("desk.Remind %s %s/%s %s", t.ID, c.Channel, c.TS, key)
}

func (d *fakeDesk) Warn(_ context.Context, t *Ticket, ev Event, key string) error {
	return d.add("desk.Warn %s %s %q %s", t.ID, ev.Failed, ev.Reason, key)
}

func (d *fakeDesk) MarkDelivery(_ context.Context, t *Ticket, ev Event, key string) error {
	return d.add("desk.MarkDelivery %s %s %q %s", t.ID, ev.Type, ev.Message.Text, key)
}

type fakeSource struct{ *calls }

var _ Source = fakeSource{}

func (s fakeSource) Deliver(_ context.Context, t *Ticket, out Outbound, key string) error {
	text := out.Text
	if out.Kind == OutTransferred {
		text = out.Team.Label
	}
	if out.Agent != nil {
		text += " (by " + out.Agent.Name + ")"
	}
	return s.add("source.Deliver %s %s %q %s", t.ID, out.Kind, text, key)
}

// handBackSource is a source that can also take chats back.
type handBackSource struct{ fakeSource }

func (handBackSource) TakesChatsBack() bool { return true }

// slaSource hands back chats no one picked within after.
type slaSource struct {
	handBackSource
	after time.Duration
}

func (s slaSource) HandBackAfter() time.Duration { return s.after }

type fakeSink struct {
	*calls
	name string
}

func (s fakeSink) Name() string { return s.name }
func (s fakeSink) TicketChanged(_ context.Context, t *Ticket, ev Event, key string) error {
	return s.add("sink.%s %s %s %s", s.name, t.ID, ev.Type, key)
}
