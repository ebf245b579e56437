package tickets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// Config holds what a Service needs. Store is required; the rest is optional: without a
// Desk there is no "desk" handler, and a ticket whose source is not in Sources cannot
// deliver to its customer (its source effects fail with ErrUnknownSource).
type Config struct {
	Store   Store
	Desk    Desk
	Sources map[string]Source
	Sinks   []Sink
	// Enrichers suggest tickets' details (AI); each has a consumer group like a sink's.
	Enrichers []Enricher
	// Initial are the settings used while the Store holds none.
	Initial Settings
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NewID makes unique ids (for messages that come without one); random when nil.
	NewID func() string
	// RatingWindow is how long after an agent ends a chat the customer may rate it by
	// replying 1 to 5; the inbox channel stays open that long (or until the rating) so
	// that the rating shows there. 0: customers are not asked.
	RatingWindow time.Duration
	// RemindAfter is the priority window: a ticket still pending that long after its card
	// was posted is brought to the whole ticketing channel's attention. 0: never.
	RemindAfter time.Duration
	// Observer is told what the Service decided, for metrics; nothing is told when nil.
	Observer Observer
}

// Service carries out Frontdesk's use cases. It is safe for concurrent use: every decision
// that must be made once (who wins a pick, whether a conversation already has a ticket) is
// made atomically by the Store.
type Service struct {
	store   Store
	desk    Desk
	sources map[string]Source
	sinks   []Sink
	// keepers are the sinks with settings of their own, by name.
	keepers map[string]SettingsKeeper
	enrich  []Enricher
	initial Settings
	now     func() time.Time
	newID   func() string
	remind  time.Duration
	rating  time.Duration
	obs     Observer

	recent recentSettings // the settings as the outbox handlers read them
	// delivering holds a slot per delivery in progress, per source (deliveriesInFlight).
	delivering map[string]chan struct{}
}

// deliveriesInFlight bounds the deliveries to one source in progress at once: as many as
// its connector keeps connections to its endpoint (256). Past that, an overloaded replica
// would dial connections only to close them after, and spend its CPU on them rather than
// on the backlog; 256 in flight still carry 1,280 messages a second to an endpoint that
// takes 200 ms to answer. Each source has its own, so a slow one holds back only itself.
const deliveriesInFlight = 256

// settingsFresh is how long the outbox handlers use settings they read: a change an admin
// saves through another replica reaches what this one tells customers within that time
// (through this one, at once).
const settingsFresh = time.Second

// recentSettings holds the settings last read for the outbox handlers, and when.
type recentSettings struct {
	mu sync.Mutex
	st *Settings
	at time.Time
}

// recentSettings returns the settings, read at most settingsFresh ago: an agent's message
// costs no read of them. The caller must not change what it gets.
func (s *Service) recentSettings(ctx context.Context) (*Settings, error) {
	s.recent.mu.Lock()
	defer s.recent.mu.Unlock()
	if s.recent.st != nil && time.Since(s.recent.at) < settingsFresh {
		return s.recent.st, nil
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	s.recent.st, s.recent.at = st, time.Now()
	return st, nil
}

// forgetRecentSettings makes the next recentSettings read them again.
func (s *Service) forgetRecentSettings() {
	s.recent.mu.Lock()
	s.recent.st = nil
	s.recent.mu.Unlock()
}

// New returns a Service for cfg. It returns an error when cfg.Store is nil, a source is nil
// or unnamed, a sink or enricher is nil or two of them share a name, or cfg.Initial is set
// but invalid.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("tickets: New needs a Store")
	}
	for name, src := range cfg.Sources {
		if name == "" || src == nil {
			return nil, fmt.Errorf("tickets: source %q is nil or unnamed", name)
		}
	}
	names := map[string]bool{}
	for _, c := range consumersOf(cfg.Sinks, cfg.Enrichers) {
		if c == nil || c.Name() == "" {
			return nil, errors.New("tickets: a sink or enricher is nil or unnamed")
		}
		if names[c.Name()] {
			return nil, fmt.Errorf("tickets: two sinks are named %q", c.Name())
		}
		names[c.Name()] = true
	}
	if cfg.RemindAfter < 0 || cfg.RatingWindow < 0 {
		return nil, errors.New("tickets: RemindAfter and RatingWindow must not be negative")
	}
	if len(cfg.Initial.TicketingChannels) > 0 {
		if err := cfg.Initial.Validate(); err != nil {
			return nil, fmt.Errorf("tickets: initial settings: %w", err)
		}
	}
	s := &Service{
		store: cfg.Store, desk: cfg.Desk, sources: cfg.Sources, sinks: cfg.Sinks, enrich: cfg.Enrichers,
		initial: cfg.Initial, now: cfg.Now, newID: cfg.NewID, remind: cfg.RemindAfter, rating: cfg.RatingWindow,
		obs: cfg.Observer, keepers: map[string]SettingsKeeper{}, delivering: map[string]chan struct{}{},
	}
	for name := range cfg.Sources {
		s.delivering[name] = make(chan struct{}, deliveriesInFlight)
	}
	for _, sk := range cfg.Sinks {
		if k, ok := sk.(SettingsKeeper); ok {
			s.keepers[sk.Name()] = k
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = randomID
	}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	return s, nil
}

// named is a sink or an enricher: a consumer group of its own, by name.
type named interface{ Name() string }

// consumersOf lists sinks and enrichers together, in that order.
func consumersOf(sinks []Sink, enrich []Enricher) []named {
	out := make([]named, 0, len(sinks)+len(enrich))
	for _, sk := range sinks {
		out = append(out, sk)
	}
	for _, e := range enrich {
		out = append(out, e)
	}
	return out
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// Get returns a ticket. Returns ErrNotFound.
func (s *Service) Get(ctx context.Context, id ID) (*Ticket, error) {
	return s.store.Get(ctx, id)
}

// ByInbox returns the ticket whose inbox channel is channelID. Returns ErrNotFound.
func (s *Service) ByInbox(ctx context.Context, channelID string) (*Ticket, error) {
	return s.store.FindByInbox(ctx, channelID)
}

// Waiting returns how many tickets wait for a pick in the team whose ticketing channel is
// teamChannel. It reads every open ticket: for an answer now and then, not per message.
func (s *Service) Waiting(ctx context.Context, teamChannel string) (int, error) {
	return s.store.CountWaiting(ctx, teamChannel)
}

// Transcript returns the ticket's messages in order. Returns ErrNotFound.
func (s *Service) Transcript(ctx context.Context, id ID) ([]Message, error) {
	return s.store.Messages(ctx, id)
}

// Settings returns the saved settings, or the initial ones while none are saved.
func (s *Service) Settings(ctx context.Context) (*Settings, error) {
	st, err := s.store.LoadSettings(ctx)
	if errors.Is(err, ErrNotFound) {
		init := s.initial
		init.TicketingChannels = append([]Team(nil), s.initial.TicketingChannels...)
		init.PriorityGroup = append([]AgentID(nil), s.initial.PriorityGroup...)
		init.Categories = slices.Clone(s.initial.Categories)
		init.SavedReplies = slices.Clone(s.initial.SavedReplies)
		init.SLAs = slices.Clone(s.initial.SLAs)
		init.CustomerChannels = slices.Clone(s.initial.CustomerChannels)
		init.Sinks = maps.Clone(s.initial.Sinks)
		return &init, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tickets: load settings: %w", err)
	}
	return st, nil
}

// UpdateSettings validates and saves st. Who may do it is the caller's decision (the Slack
// adapter checks for admins). Each sink's settings in st.Sinks go through its
// SettingsKeeper, which checks them and carries over what admins cannot see again; a
// sink whose settings st leaves out keeps its saved ones. Returns ErrInvalid (and saves
// nothing) when st is invalid.
func (s *Service) UpdateSettings(ctx context.Context, st Settings) error {
	prev, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if st.Sinks, err = s.keepSinkSettings(prev.Sinks, st.Sinks); err != nil {
		return err
	}
	if err := st.Validate(); err != nil {
		return err
	}
	err = s.store.SaveSettings(ctx, &st)
	s.forgetRecentSettings() // even after a failure: it may have been saved
	if err != nil {
		return fmt.Errorf("tickets: save settings: %w", err)
	}
	return nil
}

// keepSinkSettings returns the sinks' settings to save when an admin saves next over
// prev: each sink's as its SettingsKeeper keeps them, and prev's for the sinks next
// leaves out.
func (s *Service) keepSinkSettings(prev, next SinkSettings) (SinkSettings, error) {
	if len(prev) == 0 && len(next) == 0 {
		return nil, nil
	}
	out := make(SinkSettings, len(prev)+len(next))
	maps.Copy(out, prev)
	for name, raw := range next {
		k, ok := s.keepers[name]
		if !ok {
			return nil, invalidf("settings for %q, which is no sink with settings here", name)
		}
		kept, err := k.KeepSettings(prev[name], raw, s.now())
		if err != nil {
			return nil, err
		}
		out[name] = kept
	}
	return out, nil
}

// stamp gives m an id and a time when it has none.
func (s *Service) stamp(m *Message) {
	if m.ID == "" {
		m.ID = s.newID()
	}
	if m.At.IsZero() {
		m.At = s.now()
	}
}
