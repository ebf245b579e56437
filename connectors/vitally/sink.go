package vitally

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Name is the sink's name: its outbox consumer group is "sink:vitally".
const Name = "vitally"

// Store is what the sink reads and records in Frontdesk's store (store.Redis).
type Store interface {
	LoadSettings(ctx context.Context) (*tickets.Settings, error)
	Messages(ctx context.Context, id tickets.ID) ([]tickets.Message, error)
	CardOf(ctx context.Context, id tickets.ID, key string) (tickets.Card, error)
	SetSync(ctx context.Context, id tickets.ID, sink string, s tickets.SyncStatus) error
}

// Sink syncs tickets to Vitally as instances of a custom object (tickets.Sink), and keeps
// the Settings admins save in the admin panel (tickets.SettingsKeeper). It is safe for
// concurrent use.
type Sink struct {
	env  Config // the environment's Vitally; zero when the admin panel sets it up
	d    Deps
	opt  options
	log  *zap.Logger
	gate *gate

	mu       sync.Mutex
	schemas  schemas
	envSince time.Time         // when the environment's set-up began, once Mark has told
	created  time.Time         // when this Sink was made: what Mark records
	settings *tickets.Settings // the saved settings (nil: none), as read at readAt
	readAt   time.Time
	// unreadable: the Vitally settings last looked at could not be decoded, and that was
	// logged; it is logged again only after readable ones were seen in between.
	unreadable bool
}

// options are the Sink's workings that are not the operator's to set; tests change them.
// A zero field takes the default its comment names.
type options struct {
	// http is the client for Vitally: one with a 30s timeout that keeps its connections
	// (httpsrc.Pooled).
	http *http.Client
	// schemaTTL is how long the custom object and its fields are remembered (5m).
	schemaTTL time.Duration
	// maxWait is the longest a request waits in-process for Vitally's rate-limit window
	// before it hands the wait to the outbox (10s).
	maxWait time.Duration
	// now is the clock (time.Now).
	now func() time.Time
}

// settingsTTL is how long saved settings are used before they are read again: every
// event reaches the sink, and most need nothing from Vitally.
const settingsTTL = time.Second

// New returns a Sink for the environment's Vitally cfg (zero: the admin panel sets it
// up): Validate's error when cfg is bad. d.Store is required, and so is d.Mark when cfg
// is on.
func New(cfg Config, d Deps) (*Sink, error) {
	return newSink(cfg, d, options{})
}

// newSink is New with opt.
func newSink(cfg Config, d Deps, opt options) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Store == nil {
		return nil, errors.New("vitally: New needs Deps.Store")
	}
	if cfg.Enabled() && d.Mark == nil {
		return nil, errors.New("vitally: the environment's set-up (VITALLY_API_URL) needs Deps.Mark")
	}
	if opt.http == nil {
		opt.http = &http.Client{Timeout: 30 * time.Second, Transport: httpsrc.Pooled()}
	}
	if opt.schemaTTL == 0 {
		opt.schemaTTL = 5 * time.Minute
	}
	if opt.maxWait == 0 {
		opt.maxWait = 10 * time.Second
	}
	if opt.now == nil {
		opt.now = time.Now
	}
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	// A reserve of 50 (of 1000 a minute) is left to other processes and to people.
	return &Sink{env: cfg, d: d, opt: opt, log: log.Named("vitally"), gate: newGate(50, opt.maxWait),
		schemas: schemas{ttl: opt.schemaTTL, by: map[string]*schema{}}, created: opt.now()}, nil
}

// Name is "vitally".
func (s *Sink) Name() string { return Name }

// setup is the Vitally in effect: the admin panel's, with the environment's URL and
// secret winning; the environment's alone until an admin saves the panel.
type setup struct {
	apiURL, secret, object string
	push, update           bool
	since                  time.Time
}

func (u setup) configured() bool { return u.apiURL != "" && u.secret != "" }

// effective combines the saved settings (nil: none saved) with the environment (whose
// Since is envSince).
func (s *Sink) effective(st *tickets.Settings, envSince time.Time) setup {
	v := s.settingsIn(st)
	u := setup{apiURL: v.APIURL, secret: v.Secret, object: v.ObjectName(), push: v.PushNew, update: v.UpdateExisting, since: v.Since}
	if s.env.Enabled() {
		u.apiURL, u.secret = s.env.APIURL, s.env.Secret
		if !v.FromPanel {
			u.push, u.update, u.since = true, true, envSince
		}
	}
	u.apiURL = strings.TrimSuffix(strings.TrimRight(u.apiURL, "/"), "/resources")
	return u
}

// settingsIn returns the Vitally settings saved in st: zero when st is nil, or holds none
// or some that cannot be decoded. Those are logged when first seen, without their
// content, which may hold the secret; each event would otherwise log them again.
func (s *Sink) settingsIn(st *tickets.Settings) Settings {
	if st == nil {
		return Settings{}
	}
	v, err := decodeSettings(st.Sinks[Name])
	s.mu.Lock()
	first := err != nil && !s.unreadable
	s.unreadable = err != nil
	s.mu.Unlock()
	if first {
		s.log.Error("the saved Vitally settings are unreadable: they count as none until an admin saves the Vitally section again",
			zap.Error(err))
	}
	return v
}

// current loads the settings (read at most every settingsTTL) and returns the Vitally
// in effect.
func (s *Sink) current(ctx context.Context) (setup, *tickets.Settings, error) {
	now := s.opt.now()
	s.mu.Lock()
	st, fresh := s.settings, !s.readAt.IsZero() && now.Sub(s.readAt) < settingsTTL
	s.mu.Unlock()
	if !fresh {
		var err error
		st, err = s.d.Store.LoadSettings(ctx)
		if isNotFound(err) {
			st, err = nil, nil
		}
		if err != nil {
			return setup{}, nil, err
		}
		s.mu.Lock()
		s.settings, s.readAt = st, now
		s.mu.Unlock()
	}
	since, err := s.sinceOfEnv(ctx)
	if err != nil {
		return setup{}, nil, err
	}
	return s.effective(st, since), st, nil
}

// sinceOfEnv is when the environment's Vitally set-up began: the mark this Redis keeps
// of the first time a process started with it (the Sink's making, even when the mark
// could only be written later).
func (s *Sink) sinceOfEnv(ctx context.Context) (time.Time, error) {
	if !s.env.Enabled() {
		return time.Time{}, nil
	}
	s.mu.Lock()
	since := s.envSince
	s.mu.Unlock()
	if !since.IsZero() {
		return since, nil
	}
	since, err := s.d.Mark(ctx, "vitally.env.since", s.created)
	if err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	s.envSince = since
	s.mu.Unlock()
	return since, nil
}

func (s *Sink) client(u setup) *client {
	return &client{base: u.apiURL, auth: authHeader(u.secret), hc: s.opt.http, gate: s.gate}
}

// syncs are the events after which a ticket is synced: its metadata changed. Messages
// are not; the threads are brought up to date with the next of these.
var syncs = []tickets.EventType{
	tickets.EventOpened, tickets.EventPicked, tickets.EventTransferred, tickets.EventClosed, tickets.EventRated,
	tickets.EventUpdated, tickets.EventStatus, tickets.EventReopened,
}

// Wants reports whether the sink acts on events of type t (tickets.EventFilter).
func (s *Sink) Wants(t tickets.EventType) bool { return slices.Contains(syncs, t) }

// TicketChanged syncs ticket t after event ev: a ticket opened since pushing was switched
// on is created in Vitally, linked by the table (or recorded as not synced, with why);
// later changes update it while updating is on. The same event twice writes once. See
// tickets.Sink.
func (s *Sink) TicketChanged(ctx context.Context, t *tickets.Ticket, ev tickets.Event, _ string) error {
	if !slices.Contains(syncs, ev.Type) {
		return nil
	}
	outcome, reason, err := s.sync(ctx, t, ev)
	if err == nil && s.d.Observe != nil {
		s.d.Observe(outcome, reason)
	}
	return err
}

// sync does TicketChanged's work and says what came of it (see Deps.Observe) when it
// did not fail.
func (s *Sink) sync(ctx context.Context, t *tickets.Ticket, ev tickets.Event) (outcome, reason string, err error) {
	u, st, err := s.current(ctx)
	if err != nil {
		return "", "", err
	}
	if !u.configured() {
		return Skipped, ReasonNotConfigured, nil
	}
	if u.since.IsZero() || t.CreatedAt.Before(u.since) {
		return Skipped, ReasonBeforeSince, nil // forward only: opened before the integration
	}
	prev, known := t.Syncs[Name]
	if known && prev.LastEvent == ev.ID {
		return Skipped, ReasonRepeat, nil // delivered again: done already
	}
	c := s.client(u)
	sc, err := s.schemaOf(ctx, c, u, wanted(st))
	if err != nil {
		var ns *noSync
		if errors.As(err, &ns) {
			return NotSynced, ns.kind, s.record(ctx, t, ev, tickets.SyncStatus{Reason: ns.reason}, ns)
		}
		return "", "", err
	}
	vals, err := s.values(ctx, t)
	if err != nil {
		return "", "", err
	}
	traitsOut, missing := payload(vals, sc.fields, categoriesOf(t, st))
	next := tickets.SyncStatus{Synced: true, LastEvent: ev.ID}
	if len(missing) > 0 {
		next.Reason = "Vitally has no traits named " + strings.Join(missing, ", ") + " on " + u.object + ": those are not synced"
		reason = ReasonMissingTraits
	}
	if known && prev.RemoteID != "" {
		if !u.update {
			return Skipped, ReasonUpdatesOff, nil
		}
		next.RemoteID, next.Links, next.Where = prev.RemoteID, prev.Links, prev.Where
		err := c.updateInstance(ctx, sc.objectID, prev.RemoteID, instanceWrite{Name: instanceName(t), Traits: traitsOut})
		if statusOf(err) == http.StatusBadRequest {
			s.schemas.forget(u) // a trait may have gone: fetch the fields again next time
		}
		if err != nil {
			return "", "", err
		}
		return Synced, reason, s.record(ctx, t, ev, next, nil)
	}
	if !u.push {
		return Skipped, ReasonPushOff, nil
	}
	l, err := s.findLink(ctx, c, t)
	var ns *noSync
	if errors.As(err, &ns) {
		return NotSynced, ns.kind, s.record(ctx, t, ev, tickets.SyncStatus{Reason: ns.reason, LastEvent: ev.ID}, ns)
	}
	if err != nil {
		return "", "", err
	}
	id, err := s.upsert(ctx, c, sc, t, l, traitsOut)
	if statusOf(err) == http.StatusBadRequest {
		s.schemas.forget(u)
	}
	if err != nil {
		return "", "", err
	}
	next.RemoteID, next.Where = id, l.where()
	next.Links = map[string]string{}
	if l.AccountID != "" {
		next.Links["account"] = l.AccountID
	}
	if l.OrganizationID != "" {
		next.Links["organization"] = l.OrganizationID
	}
	return Synced, reason, s.record(ctx, t, ev, next, nil)
}

// upsert writes the ticket's instance: an update when one with its externalId exists (an
// earlier attempt made it and stopped before recording it), else a create.
func (s *Sink) upsert(ctx context.Context, c *client, sc *schema, t *tickets.Ticket, l link, traits map[string]any) (string, error) {
	found, err := c.findInstance(ctx, sc.objectID, externalID(t))
	if err != nil {
		return "", err
	}
	if found != nil {
		return found.ID, c.updateInstance(ctx, sc.objectID, found.ID, instanceWrite{Name: instanceName(t), Traits: traits})
	}
	in, err := c.createInstance(ctx, sc.objectID, instanceWrite{
		Name: instanceName(t), ExternalID: externalID(t), CustomerID: l.AccountID, OrganizationID: l.OrganizationID, Traits: traits,
	})
	if statusOf(err) == http.StatusConflict {
		// Made meanwhile by another attempt: update that one (once; if the search still
		// does not find it, the outbox tries the whole sync again later).
		found, err := c.findInstance(ctx, sc.objectID, externalID(t))
		if err != nil {
			return "", err
		}
		if found == nil {
			return "", fmt.Errorf("vitally: instance %s exists (409) but is not found yet", externalID(t))
		}
		return found.ID, c.updateInstance(ctx, sc.objectID, found.ID, instanceWrite{Name: instanceName(t), Traits: traits})
	}
	return in.ID, err
}

// record saves the ticket's sync status. A no-sync is logged (without the customer's
// details) and not retried.
func (s *Sink) record(ctx context.Context, t *tickets.Ticket, ev tickets.Event, st tickets.SyncStatus, ns *noSync) error {
	st.At = s.opt.now()
	if ns != nil {
		s.log.Info("ticket not synced to Vitally", ticketField(t), zap.String("event", string(ev.Type)),
			zap.String("reason", ns.reason))
	}
	return s.d.Store.SetSync(ctx, t.ID, Name, st)
}

// categoriesOf are the custom categories, one trait each: every category of the settings
// (empty when the ticket has none set) and any the ticket has from before.
func categoriesOf(t *tickets.Ticket, st *tickets.Settings) map[string]string {
	out := map[string]string{}
	if st != nil {
		for _, c := range st.Categories {
			out[c.Name] = ""
		}
	}
	for name, v := range t.Categories {
		out[name] = v
	}
	return out
}

func isNotFound(err error) bool { return errors.Is(err, tickets.ErrNotFound) }

func ticketField(t *tickets.Ticket) zap.Field { return zap.String("ticket", string(t.ID)) }

// domainField logs an email's domain, never the address.
func domainField(email string) zap.Field {
	_, d, _ := strings.Cut(email, "@")
	return zap.String("domain", d)
}
