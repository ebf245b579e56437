package slacktest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The simulated workspace and app. The bot user is created by New.
const (
	TeamID     = "T1"
	TeamDomain = "frontdesk-sim"
	AppID      = "A1"
	BotUserID  = "UBOT"
	BotID      = "BBOT"
	BotName    = "frontdesk"
)

// Sim is a simulated Slack workspace with one installed app. All of its state sits
// behind one mutex; its methods are safe for concurrent use.
type Sim struct {
	// BotToken (xoxb-) authorizes Web API calls; AppToken (xapp-) only
	// apps.connections.open.
	BotToken string
	AppToken string

	t    testing.TB
	opts options
	srv  *httptest.Server
	wg   sync.WaitGroup

	tmu     sync.RWMutex // held to report to t; Close takes it to stop reporting
	tclosed bool

	latency atomic.Int64 // nanoseconds added to every Web API call (WithLatency, SetLatency)

	mu      sync.Mutex
	cond    *sync.Cond    // signalled with every state change (for the dispatcher)
	changed chan struct{} // closed and replaced with every state change (for waiters)
	version uint64        // counts the state changes (for the web view's long poll)
	closed  bool
	ids     idGen

	users     map[string]*userData
	userOrder []string
	channels  map[string]*channelData
	chanOrder []string
	ims       map[string]string // user id → im channel id
	teamNames map[string]string // other organisations' names (SetTeamName), for team.info
	views     map[string]*viewData
	stacks    map[string][]string // user id → open modal view ids, root first
	homes     map[string]string   // user id → home view id
	triggers  map[string]*trigger
	files     map[string]*fileData
	uploads   map[string]*pendingUpload // files.getUploadURLExternal ids not completed yet

	outs    []*output
	ignores [][]string
	discard bool
	calls   []Call
	faults  map[string]*fault
	// losses pick the envelopes to lose with their connection (LoseInFlight); holds the
	// envelopes to keep on the wire until their connection closes (HoldInFlight).
	losses []func(*Envelope) bool
	holds  []hold

	tickets   map[string]bool // apps.connections.open tickets → used
	conns     []*conn
	rr        int
	queue     []*Envelope
	envelopes []*Envelope
	byEnvID   map[string]*Envelope
}

// New starts a simulator and registers t.Cleanup(sim.Close).
func New(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	s := &Sim{
		BotToken: "xoxb-1-sim-bot-token",
		AppToken: "xapp-1-A1-sim-app-token",
		t:        t,
		opts:     defaultOptions(),
		changed:  make(chan struct{}),
		users:    map[string]*userData{},
		channels: map[string]*channelData{},
		ims:      map[string]string{},
		views:    map[string]*viewData{},
		stacks:   map[string][]string{},
		homes:    map[string]string{},
		triggers: map[string]*trigger{},
		files:    map[string]*fileData{},
		uploads:  map[string]*pendingUpload{},
		faults:   map[string]*fault{},
		tickets:  map[string]bool{},
		byEnvID:  map[string]*Envelope{},
	}
	for _, o := range opts {
		o(&s.opts)
	}
	s.cond = sync.NewCond(&s.mu)
	s.latency.Store(int64(s.opts.latency))
	s.ids.start = time.Now()
	s.users[BotUserID] = &userData{id: BotUserID, name: BotName, realName: "Frontdesk", isBot: true, botID: BotID}
	s.userOrder = append(s.userOrder, BotUserID)

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/ws", s.serveSocket)
	mux.HandleFunc("/response/", s.serveResponseURL)
	mux.HandleFunc("/files-pri/", s.serveFile)
	mux.HandleFunc("/upload/v1/", s.serveUpload)
	mux.HandleFunc("/{$}", s.serveSignIn)
	s.srv = httptest.NewServer(mux)
	s.wg.Add(1)
	go s.dispatch()
	t.Cleanup(s.Close)
	return s
}

// APIURL is the Web API base URL for slack.OptionAPIURL; it ends with a slash.
func (s *Sim) APIURL() string { return s.srv.URL + "/api/" }

// Close runs the strictness checks (unconsumed output, unacked envelopes), then stops
// the server and closes every socket. New registers it with t.Cleanup.
func (s *Sim) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	if !s.t.Failed() {
		s.checkUnacked()
		s.checkUnconsumed()
	}
	s.tmu.Lock()
	s.tclosed = true
	s.tmu.Unlock()

	s.mu.Lock()
	s.closed = true
	conns := s.conns
	s.conns = nil
	s.notify()
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	s.srv.Close()
	s.wg.Wait()
}

// errorf reports a test failure unless the simulator is closed (goroutines of the
// server may outlive the test).
func (s *Sim) errorf(format string, args ...any) {
	s.tmu.RLock()
	defer s.tmu.RUnlock()
	if !s.tclosed {
		s.t.Errorf("slacktest: "+format, args...)
	}
}

// logf logs to the test unless the simulator is closed.
func (s *Sim) logf(format string, args ...any) {
	s.tmu.RLock()
	defer s.tmu.RUnlock()
	if !s.tclosed {
		s.t.Logf("slacktest: "+format, args...)
	}
}

// notify wakes everything waiting for a state change. Call with s.mu held.
func (s *Sim) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
	s.version++
	s.cond.Broadcast()
}

// waitFor calls cond under s.mu until it returns true or timeout passes; it reports
// whether cond became true. cond may change state (consume what it found).
func (s *Sim) waitFor(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return true
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			s.mu.Lock()
			defer s.mu.Unlock()
			return cond()
		}
	}
}
