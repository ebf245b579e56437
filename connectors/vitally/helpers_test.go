package vitally

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/vitally/vitallytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

var (
	t0     = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	alice  = tickets.Agent{ID: "UALICE", Name: "Alice"}
	secret = "sk_test_42"
)

// memStore is an in-memory Store: settings, transcripts, cards and sync statuses.
type memStore struct {
	mu       sync.Mutex
	settings *tickets.Settings
	msgs     map[tickets.ID][]tickets.Message
	cards    map[string]tickets.Card
	syncs    map[tickets.ID]tickets.SyncStatus
	sets     int
}

func newMemStore() *memStore {
	return &memStore{msgs: map[tickets.ID][]tickets.Message{}, cards: map[string]tickets.Card{},
		syncs: map[tickets.ID]tickets.SyncStatus{}}
}

func (m *memStore) LoadSettings(context.Context) (*tickets.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.settings == nil {
		return nil, tickets.ErrNotFound
	}
	s := *m.settings
	return &s, nil
}

func (m *memStore) Messages(_ context.Context, id tickets.ID) ([]tickets.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]tickets.Message(nil), m.msgs[id]...), nil
}

func (m *memStore) CardOf(_ context.Context, id tickets.ID, key string) (tickets.Card, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cards[string(id)+"/"+key]
	if !ok {
		return tickets.Card{}, tickets.ErrNotFound
	}
	return c, nil
}

func (m *memStore) SetSync(_ context.Context, id tickets.ID, sink string, s tickets.SyncStatus) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sink != Name {
		return fmt.Errorf("sink %q", sink)
	}
	m.syncs[id] = s
	m.sets++
	return nil
}

func (m *memStore) sync(id tickets.ID) (tickets.SyncStatus, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.syncs[id]
	return s, ok
}

// world is a fake Vitally with the Frontdesk Requests object and every trait, and a Sink
// set up to push and update from t0 on.
type world struct {
	t     *testing.T
	fake  *vitallytest.Server
	tk    *memStore
	sink  *Sink
	obj   vitallytest.CustomObject
	clock time.Time

	mu       sync.Mutex
	observed []string // what Deps.Observe was told: "outcome/reason"
}

// outcomes returns what Deps.Observe was told since the last call.
func (w *world) outcomes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	o := w.observed
	w.observed = nil
	return o
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, fake: vitallytest.New(secret), tk: newMemStore(), clock: t0.Add(time.Hour)}
	t.Cleanup(w.fake.Close)
	w.obj = w.fake.AddCustomObject(DefaultObject)
	for _, tr := range Traits() {
		w.fake.AddCustomField(vitallytest.CustomField{Label: tr.Label, Type: tr.Type, CustomObjectID: w.obj.ID})
	}
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	sink, err := newSink(Config{}, Deps{
		Store: w.tk,
		Permalink: func(_ context.Context, ch, ts string) (string, error) {
			return "https://acme.slack.com/archives/" + ch + "/p" + strings.ReplaceAll(ts, ".", ""), nil
		},
		Observe: func(outcome, reason string) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.observed = append(w.observed, outcome+"/"+reason)
		},
	}, options{now: func() time.Time { return w.clock }})
	if err != nil {
		t.Fatal(err)
	}
	w.sink = sink
	return w
}

// setVitally saves settings with v, and moves the clock on so that the sink reads them.
func (w *world) setVitally(v Settings) {
	w.t.Helper()
	raw := vitallyJSON(w.t, v)
	w.tk.mu.Lock()
	defer w.tk.mu.Unlock()
	w.clock = w.clock.Add(settingsTTL)
	w.tk.settings = &tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C1", Label: "Support"}},
		Sinks: map[string]json.RawMessage{Name: raw}}
}

// savedVitally is the Vitally settings saved in the store.
func (w *world) savedVitally() Settings {
	w.t.Helper()
	w.tk.mu.Lock()
	defer w.tk.mu.Unlock()
	return vitallyIn(w.t, w.tk.settings)
}

// vitallyJSON is v as tickets.Settings.Sinks keeps it.
func vitallyJSON(t testing.TB, v Settings) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// vitallyIn is the Vitally settings st keeps; it fails the test when they do not decode.
func vitallyIn(t testing.TB, st *tickets.Settings) Settings {
	t.Helper()
	v, err := decodeSettings(st.Sinks[Name])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// editVitally changes the Vitally settings of st, in a map of st's own so that what st
// was copied from is left as it was.
func editVitally(t testing.TB, st *tickets.Settings, edit func(*Settings)) {
	t.Helper()
	v := vitallyIn(t, st)
	edit(&v)
	st.Sinks = map[string]json.RawMessage{Name: vitallyJSON(t, v)}
}

// ticket is a ticket opened after t0 by a customer with email.
func ticket(n int64, email string) *tickets.Ticket {
	return &tickets.Ticket{
		ID: tickets.ID(fmt.Sprintf("%d-1", n)), Number: n, Source: "webhook", ConversationID: fmt.Sprint("conv-", n),
		Customer:  tickets.Customer{ID: fmt.Sprint("cust-", n), Name: "Carol", Email: email},
		Status:    tickets.StatusPending,
		Team:      tickets.Team{ChannelID: "C1", Label: "Support"},
		CreatedAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Minute),
	}
}

var evSeq atomic.Int64

// event is a new event of type typ for t.
func event(t *tickets.Ticket, typ tickets.EventType) tickets.Event {
	return tickets.Event{ID: fmt.Sprintf("%d-0", evSeq.Add(1)), Type: typ, TicketID: t.ID, At: t0}
}

// change hands ev to the sink and, like the store would, puts the recorded sync status
// on t.
func (w *world) change(t *tickets.Ticket, ev tickets.Event) error {
	w.t.Helper()
	err := w.sink.TicketChanged(context.Background(), t, ev, ev.ID)
	if s, ok := w.tk.sync(t.ID); ok {
		t.Syncs = map[string]tickets.SyncStatus{Name: s}
	}
	return err
}

func (w *world) mustChange(t *tickets.Ticket, typ tickets.EventType) {
	w.t.Helper()
	if err := w.change(t, event(t, typ)); err != nil {
		w.t.Fatalf("%s: %v", typ, err)
	}
}

// instance returns t's instance in the fake.
func (w *world) instance(t *tickets.Ticket) (vitallytest.Instance, bool) {
	return w.fake.InstanceByExternalID(w.obj.ID, externalID(t))
}

// traitsOf are t's instance's traits by label; it fails the test when there is none.
func (w *world) traitsOf(t *tickets.Ticket) map[string]any {
	w.t.Helper()
	in, ok := w.instance(t)
	if !ok {
		w.t.Fatalf("ticket %s has no instance in Vitally", t.ID)
	}
	return w.fake.TraitsByLabel(in)
}

// carolAtAcme makes carol@acme.com a user of the Account "Acme", and returns the Account.
func (w *world) carolAtAcme() vitallytest.Account {
	acct := w.fake.AddAccount(vitallytest.Account{ExternalID: "acme", Name: "Acme"})
	w.fake.AddUser(vitallytest.User{ExternalID: "u1", Email: "carol@acme.com", AccountIDs: []string{acct.ID}})
	return acct
}
