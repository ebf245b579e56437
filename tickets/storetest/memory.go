package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Memory is an in-memory tickets.Store that keeps the contract Run checks, so the
// tickets.Service can be tested without Redis. Its outbox is a queue the test reads
// with Drain; its timers fire when the test calls Fire. Ticket ids are "1", "2", ... and
// event ids "ev1", "ev2", ..., in the order they were made. It is safe for concurrent use.
type Memory struct {
	mu       sync.Mutex
	seq      int64
	tickets  map[tickets.ID]*tickets.Ticket
	convs    map[string]tickets.ID // conversation → its open ticket
	last     map[string]tickets.ID // conversation → its latest closed ticket
	inboxes  map[string]tickets.ID
	messages map[tickets.ID][]tickets.Message
	held     map[tickets.ID][]tickets.Message // customer messages to replay on pick
	seen     map[string]bool
	alerts   map[string]string // ticket id + NUL + alert name → the event that claimed it
	cards    map[tickets.ID]map[string]tickets.Card
	cardEv   map[tickets.ID]string // the event whose card is current
	settings []byte                // JSON, as a store that serializes them
	events   []tickets.Event       // appended and not drained yet
	evSeq    int
	timers   []timer
	queued   []tickets.Event // what Enqueue queued
	fail     error
	notes    map[string]string // scope + NUL + id → value (kept until replaced: ttl is Redis's housekeeping)
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{
		tickets: map[tickets.ID]*tickets.Ticket{}, convs: map[string]tickets.ID{}, last: map[string]tickets.ID{},
		inboxes: map[string]tickets.ID{}, messages: map[tickets.ID][]tickets.Message{},
		held: map[tickets.ID][]tickets.Message{}, seen: map[string]bool{}, alerts: map[string]string{},
		cards: map[tickets.ID]map[string]tickets.Card{}, cardEv: map[tickets.ID]string{},
	}
}

var _ tickets.Store = (*Memory)(nil)

// Drain returns the events appended since the last Drain, oldest first, and forgets them.
func (m *Memory) Drain() []tickets.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	evs := m.events
	m.events = nil
	return evs
}

// Tickets returns every ticket made so far, oldest first, as Get returns them.
func (m *Memory) Tickets() []*tickets.Ticket {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*tickets.Ticket, 0, m.seq)
	for n := int64(1); n <= m.seq; n++ {
		if id := tickets.ID(strconv.FormatInt(n, 10)); m.tickets[id] != nil {
			out = append(out, m.snapshot(id))
		}
	}
	return out
}

// Redeliver puts evs (drained before) back at the end of the outbox, ids and all, as an
// outbox delivers an event again after a consumer crashed.
func (m *Memory) Redeliver(evs ...tickets.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, evs...)
}

// Fail makes every method return err from now on, as an infrastructure failure would;
// Fail(nil) ends that.
func (m *Memory) Fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// Scheduled returns the events scheduled that have not fired yet.
func (m *Memory) Scheduled() []tickets.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var evs []tickets.Event
	for _, tm := range m.timers {
		evs = append(evs, tm.ev)
	}
	return evs
}

// Queued returns the source events Enqueue queued, oldest first.
func (m *Memory) Queued() []tickets.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.queued)
}

func convKey(source, conv string) string { return source + "\x00" + conv }

// emit appends ev to the outbox and returns its id. m.mu is held.
func (m *Memory) emit(ev tickets.Event) string {
	m.evSeq++
	ev.ID = fmt.Sprintf("ev%d", m.evSeq)
	m.events = append(m.events, ev)
	return ev.ID
}

// asWritten is the ticket a message's event carries (Event.Ticket): the part of a
// snapshot that relaying it needs (Ticket.ForRelay). m.mu is held.
func (m *Memory) asWritten(id tickets.ID) *tickets.Ticket {
	return m.snapshot(id).ForRelay()
}

// snapshot returns a copy of ticket id, sharing nothing with the stored one, with its
// current card resolved. m.mu is held.
func (m *Memory) snapshot(id tickets.ID) *tickets.Ticket {
	t := *m.tickets[id]
	t.Customer.Fields = maps.Clone(t.Customer.Fields)
	t.Transfers = slices.Clone(t.Transfers)
	if t.CSAT != nil {
		c := *t.CSAT
		t.CSAT = &c
	}
	t.Card = m.cards[id][m.cardEv[id]]
	t.Card.Copies = slices.Clone(t.Card.Copies)
	t.Syncs = maps.Clone(t.Syncs)
	t.Categories, t.Origins = maps.Clone(t.Categories), maps.Clone(t.Origins)
	t.Tags, t.AITags, t.Edits = slices.Clone(t.Tags), slices.Clone(t.AITags), slices.Clone(t.Edits)
	t.History = slices.Clone(t.History)
	t.Alerted, t.Due, t.Statuses = maps.Clone(t.Alerted), nil, slices.Clone(t.Statuses)
	return &t
}

// get returns the stored ticket id. m.mu is held.
func (m *Memory) get(id tickets.ID) (*tickets.Ticket, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	t, ok := m.tickets[id]
	if !ok {
		return nil, tickets.ErrNotFound
	}
	return t, nil
}

// find returns a copy of the ticket index names under key. m.mu is held.
func (m *Memory) find(index map[string]tickets.ID, key string) (*tickets.Ticket, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	id, ok := index[key]
	if !ok {
		return nil, tickets.ErrNotFound
	}
	return m.snapshot(id), nil
}

func (m *Memory) Get(_ context.Context, id tickets.ID) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(id); err != nil {
		return nil, err
	}
	return m.snapshot(id), nil
}

func (m *Memory) FindOpen(_ context.Context, source, conv string) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.find(m.convs, convKey(source, conv))
}

func (m *Memory) FindLastClosed(_ context.Context, source, conv string) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.find(m.last, convKey(source, conv))
}

func (m *Memory) FindByInbox(_ context.Context, channelID string) (*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.find(m.inboxes, channelID)
}

func (m *Memory) CountWaiting(_ context.Context, teamChannel string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return 0, m.fail
	}
	n := 0
	for _, t := range m.tickets {
		if t.Status == tickets.StatusPending && t.Team.ChannelID == teamChannel {
			n++
		}
	}
	return n, nil
}

func (m *Memory) Messages(_ context.Context, id tickets.ID) ([]tickets.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(id); err != nil {
		return nil, err
	}
	return slices.Clone(m.messages[id]), nil
}

// timer is an event scheduled for a time.
type timer struct {
	at time.Time
	ev tickets.Event
}

// Note keeps value for id in scope (an empty value forgets it); it keeps it until
// replaced, whatever ttl says (see tickets.Store).
func (m *Memory) Note(_ context.Context, scope, id, value string, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if m.notes == nil {
		m.notes = map[string]string{}
	}
	if value == "" {
		delete(m.notes, scope+"\x00"+id)
	} else {
		m.notes[scope+"\x00"+id] = value
	}
	return nil
}

// NoteFirst keeps value unless a value is kept, and returns the value kept after.
func (m *Memory) NoteFirst(_ context.Context, scope, id, value string, _ time.Duration) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return "", m.fail
	}
	if m.notes == nil {
		m.notes = map[string]string{}
	}
	if v, ok := m.notes[scope+"\x00"+id]; ok {
		return v, nil
	}
	m.notes[scope+"\x00"+id] = value
	return value, nil
}

// Noted returns the value kept for id in scope.
func (m *Memory) Noted(_ context.Context, scope, id string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return "", false, m.fail
	}
	v, ok := m.notes[scope+"\x00"+id]
	return v, ok, nil
}

// OpenTickets returns a copy of every open ticket.
func (m *Memory) OpenTickets(context.Context) ([]*tickets.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	var out []*tickets.Ticket
	for id, t := range m.tickets {
		if t.IsOpen() {
			out = append(out, m.snapshot(id))
		}
	}
	return out, nil
}
