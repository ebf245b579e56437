package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/internal/spare"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Tickets is the part of the ticket service the Slack handlers use.
type Tickets interface {
	Get(ctx context.Context, id tickets.ID) (*tickets.Ticket, error)
	ByInbox(ctx context.Context, channelID string) (*tickets.Ticket, error)
	Waiting(ctx context.Context, teamChannel string) (int, error)
	Pick(ctx context.Context, id tickets.ID, agent tickets.Agent) (*tickets.Ticket, error)
	AgentMessage(ctx context.Context, inboxChannel string, m tickets.Message) (tickets.InboxAdded, error)
	AgentChange(ctx context.Context, inboxChannel string, c tickets.MessageChange) (tickets.ChangeApplied, error)
	Transfer(ctx context.Context, id tickets.ID, toChannel string, by tickets.Agent) (*tickets.Ticket, error)
	End(ctx context.Context, id tickets.ID, by tickets.Agent, reason string) (*tickets.Ticket, error)
	RetryDelivery(ctx context.Context, id tickets.ID, messageID string, by tickets.Agent) (*tickets.Ticket, error)
	HandBack(ctx context.Context, id tickets.ID, by tickets.Agent, reason string) (*tickets.Ticket, error)
	SetStatus(ctx context.Context, id tickets.ID, by tickets.Agent, to tickets.Status, note string, wakeAt time.Time) (*tickets.Ticket, error)
	Queues(ctx context.Context, agent tickets.AgentID) (tickets.Queues, error)
	CanHandBack(t *tickets.Ticket) bool
	Settings(ctx context.Context) (*tickets.Settings, error)
	UpdateSettings(ctx context.Context, st tickets.Settings) error
	CheckSetup(ctx context.Context) ([]tickets.SetupReport, error)
	RearmSLA(ctx context.Context, team string) (int, error)
	CustomerChannel(ctx context.Context, channel string) (tickets.CustomerChannel, bool, error)
	ChannelPost(ctx context.Context, p tickets.ChannelPost) (tickets.ChannelOutcome, error)
	ChannelTicket(ctx context.Context, channel, ts, threadTS string) (*tickets.Ticket, error)
	CardReply(ctx context.Context, channel, ts string, m tickets.Message) (tickets.TicketState, bool, error)
	ChannelChange(ctx context.Context, channel, threadTS string, c tickets.MessageChange) (tickets.ChangeApplied, error)
	RateAs(ctx context.Context, source, conversationID, customerID string, rating int) (*tickets.Ticket, error)
	CatchUpFrom(ctx context.Context, channel string, trouble time.Time, lookback time.Duration) (string, error)
	OpenThreads(ctx context.Context) (map[string][]string, error)
	NotTaken(ctx context.Context, channel string, ts []string) ([]string, error)
	CaughtUp(ctx context.Context, channel, upTo string) error
	UpdateDetails(ctx context.Context, id tickets.ID, by tickets.Agent, c tickets.DetailsChange) (*tickets.Ticket, error)
	Transcript(ctx context.Context, id tickets.ID) ([]tickets.Message, error)
}

// Deduper remembers ids for a while: Seen reports whether id is new in scope. Slack
// redelivers events it thinks were not acknowledged; their event_id stays the same.
type Deduper interface {
	Seen(ctx context.Context, scope, id string, ttl time.Duration) (first bool, err error)
}

// Config tunes a Bot.
type Config struct {
	// Admins may use the admin panel besides the workspace's admins and owners.
	Admins []tickets.AgentID
	// EventTTL is how long an event id is remembered (1h; Slack's last retry comes after
	// about 5 minutes).
	EventTTL time.Duration
	// HandlerTimeout bounds the work done for one event or interaction (30s).
	HandlerTimeout time.Duration
	// Files, when set, gives customers links they can open to the files agents share;
	// without it they get Slack's own links, which need a Slack login.
	Files *Files
	// Sections are the sinks' sections of the admin panel, shown after its own fields in
	// this order; each edits tickets.Settings.Sinks[Sink()]. A sink's name may have one
	// section at most.
	Sections []panel.Section
	// Metrics, when set, is told about the Socket Mode connection.
	Metrics Metrics
	// Epochs, when set, is shared with the other replicas so that a connection any of
	// them loses makes all of them check the order of agents' messages (gaps.go).
	Epochs SocketEpochs
}

// Metrics is told about the Socket Mode connection, for monitoring. Its methods must be
// quick: they are called on the loop that reads Slack's envelopes (and by handlers that
// acknowledge a view submission with their answer).
type Metrics interface {
	// Connected: the connection came up (true) or was lost (false).
	Connected(up bool)
	// EnvelopeAcked: an envelope's acknowledgement was handed to the connection took
	// after the envelope was received.
	EnvelopeAcked(took time.Duration)
	// OrderChecked: an inbox channel was checked for agents' messages Slack had not sent
	// yet (gaps.go), with outcome "ok", "rate_limited" or "failed", and recovered of them
	// were relayed ahead of the message that asked for the check.
	OrderChecked(outcome string, recovered int)
	// CaughtUp: a customer channel's history was read back after events may have been
	// lost (catchup.go), with outcome "ok" or "failed", and read of its messages were
	// handed to the ticket service (which takes those it had not taken).
	CaughtUp(outcome string, read int)
}

// nopMetrics is the Metrics of a Bot configured without any.
type nopMetrics struct{}

func (nopMetrics) Connected(bool)              {}
func (nopMetrics) EnvelopeAcked(time.Duration) {}
func (nopMetrics) OrderChecked(string, int)    {}
func (nopMetrics) CaughtUp(string, int)        {}

// Bot is the Slack app's inbound side: it keeps one Socket Mode connection, acknowledges
// every envelope at once, and hands events and interactions to the ticket service.
type Bot struct {
	cfg     Config
	api     *slack.Client
	sm      *socketmode.Client
	tk      Tickets
	seen    Deduper
	log     *zap.Logger
	users   *users
	members *members
	teams   *lru.Cache[string, string] // other organisations' names (team.info), for customer channels
	self    identity
	serial  serial
	files   *Files
	admin   *adminPanel // the admin panel's shortcut, buttons and submission (admin.go)

	// actions, shortcuts and submissions route interactions by their id.
	actions     map[string]func(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction)
	shortcuts   map[string]func(ctx context.Context, cb *slack.InteractionCallback)
	submissions map[string]func(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse

	connected atomic.Bool
	wg        sync.WaitGroup
	spare     *spare.Pool // the goroutines spawn runs on

	// gaps says which inbox channels must be checked for agents' messages Slack has not
	// sent yet; sharedEpoch is the replicas' epoch as last seen (gaps.go).
	gaps        *gaps
	epochMu     sync.Mutex
	sharedEpoch int64
	catchUps    *catchUps                        // asks for customer channels to catch up (catchup.go)
	sharedness  *lru.Cache[string, cachedShared] // customer channels shared with another organisation
	member      string                           // this bot among the replicas' heartbeats
	joinRaised  atomic.Bool                      // join raised the epoch: the first connection need not again
	replicas    atomic.Int64                     // how many replicas' bots beat, as last seen; 0 before the first beat
}

// Replicas is how many replicas take the app's Slack events, as their heartbeats said
// within the last half second or so; 0 before the first heartbeat. With more than one,
// an inbox channel's messages may reach different replicas.
func (b *Bot) Replicas() int { return int(b.replicas.Load()) }

// identity is the bot's own Slack user and bot ids, from auth.test.
type identity struct{ userID, botID, teamID string }

// New returns a Bot on api (which must have the app-level token) serving tk.
func New(cfg Config, api *slack.Client, tk Tickets, seen Deduper, log *zap.Logger) (*Bot, error) {
	if api == nil || tk == nil || seen == nil {
		return nil, errors.New("bot: New needs a Slack client, the ticket service and a deduper")
	}
	if err := checkSections(cfg.Sections); err != nil {
		return nil, err
	}
	if cfg.EventTTL <= 0 {
		cfg.EventTTL = time.Hour
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = 30 * time.Second
	}
	if log == nil {
		log = zap.NewNop()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = nopMetrics{}
	}
	b := &Bot{cfg: cfg, api: api, tk: tk, seen: seen, log: log.Named("bot"), users: newUsers(api),
		members: newMembers(api), teams: newMemo[string](), files: cfg.Files, gaps: newGaps(), catchUps: newCatchUps(), sharedness: newMemo[cachedShared](), member: rand.Text(), spare: spare.New(spareKeep, spareIdle)}
	b.admin = &adminPanel{api: api, tk: tk, users: b.users, admins: cfg.Admins, sections: cfg.Sections, log: b.log}
	b.sm = socketmode.New(api)
	b.actions = map[string]func(context.Context, *slack.InteractionCallback, *slack.BlockAction){
		ActionPick:           b.pick,
		ActionOpenAdmin:      func(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) { b.admin.open(ctx, cb) },
		ActionAddTeam:        b.admin.addTeamRow,
		ActionEditSLA:        b.admin.openSLA,
		ActionRetry:          b.retryDelivery,
		ActionRemoveTeam:     b.admin.removeTeamRow,
		ActionDetails:        b.openDetails,
		ActionConnectChannel: b.connectChannel,
		ActionRate:           b.rateInThread,
	}
	b.shortcuts = map[string]func(context.Context, *slack.InteractionCallback){
		ShortcutControl:      b.openControl,
		ShortcutAdmin:        b.admin.open,
		ShortcutCreateTicket: b.createTicket,
		ShortcutSavedReply: func(ctx context.Context, cb *slack.InteractionCallback) {
			b.openSavedReply(ctx, cb.Channel.ID, cb.User.ID, cb.TriggerID)
		},
	}
	b.submissions = map[string]func(context.Context, *slack.InteractionCallback) *slack.ViewSubmissionResponse{
		ViewControl:   b.submitControl,
		ViewAdmin:     b.admin.submit,
		ViewSLA:       b.admin.submitSLA,
		ViewDetails:   b.submitDetails,
		ViewReplyPick: b.submitReplyPick,
		ViewReplySend: b.submitReplySend,
	}
	return b, nil
}

// Connected reports whether the Socket Mode connection is up (for /readyz).
func (b *Bot) Connected() bool { return b.connected.Load() }

// Run checks who the bot is, connects to Slack and serves until ctx ends; then it hands
// over to the other replicas (handOff), closes the connection, waits for the work in
// flight and returns nil. It returns an error when Slack refuses the tokens.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.whoAmI(ctx); err != nil || ctx.Err() != nil {
		return err
	}
	if err := b.ensureTicketingChannels(ctx); err != nil {
		b.log.Error("cannot set up default ticketing channels", zap.Error(err))
	}
	// The heartbeats go on until the connection is closed and the work in flight is done,
	// so that the others count this replica for as long as it may store messages.
	beatCtx, stopBeats := context.WithCancel(context.WithoutCancel(ctx))
	beating := make(chan struct{})
	defer func() {
		b.wg.Wait()
		b.spare.Close()
		stopBeats()
		<-beating
	}()
	joined := b.join(ctx)
	go func() {
		defer close(beating)
		b.watchEpochs(beatCtx, joined)
	}()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.catchUpLoop(ctx)
	}()
	if ctx.Err() != nil {
		return nil
	}
	// The connection outlives ctx by the hand-off, and events already on their way are
	// still taken while it closes.
	live := context.WithoutCancel(ctx)
	smCtx, closeSocket := context.WithCancel(live)
	defer closeSocket()
	errc := make(chan error, 1)
	go func() { errc <- b.sm.RunContext(smCtx) }()
	stopping := ctx.Done()
	for {
		select {
		case <-stopping:
			stopping = nil
			b.go_(live, func(hctx context.Context) {
				b.handOff(hctx)
				closeSocket()
			})
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return classify("socket mode", err)
		case evt := <-b.sm.Events:
			b.dispatch(live, evt)
		}
	}
}

// whoAmI learns the bot's own ids from auth.test, retrying while Slack cannot be reached;
// a token Slack refuses stops it with an error. It returns nil when ctx ends first.
func (b *Bot) whoAmI(ctx context.Context) error {
	wait := time.Second
	for {
		auth, err := b.api.AuthTestContext(ctx)
		if err == nil {
			b.self = identity{userID: auth.UserID, botID: auth.BotID, teamID: auth.TeamID}
			return nil
		}
		if err = classify("auth.test", err); tickets.IsPermanent(err) {
			return err
		}
		b.log.Warn("Slack cannot be reached; trying again", zap.Duration("in", wait), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// ackTimeout bounds writing one acknowledgement.
const ackTimeout = 2 * time.Second

// storeWait bounds how long an agent message's envelope waits for the ticket service
// before it is acknowledged anyway.
const storeWait = 2 * time.Second

// dispatch acknowledges evt (at once, except a view submission, whose answer is its ack)
// and starts its work. It never blocks on Slack or the ticket service.
func (b *Bot) dispatch(ctx context.Context, evt socketmode.Event) {
	received := time.Now()
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		b.cfg.Metrics.Connected(true)
		b.log.Info("connected to Slack")
		// An earlier connection (of this process, of one that crashed, or of another
		// replica) may have ended with agents' messages in flight; the one that ended
		// may still have taken some since it was reported.
		b.connectionsChanged(ctx, "connected")
		return
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnectionError, socketmode.EventTypeDisconnect:
		if b.connected.Swap(false) {
			b.cfg.Metrics.Connected(false)
			b.log.Warn("Slack connection lost; reconnecting", zap.String("event", string(evt.Type)))
			b.connectionsChanged(ctx, "disconnected")
		}
		return
	case socketmode.EventTypeErrorBadMessage:
		b.ackBadMessage(ctx, evt)
		return
	}
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return // hello and the like: nothing to acknowledge
	}
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		if evt.Request.RetryAttempt > 0 {
			// Slack sends an event again when its first sending was not acknowledged,
			// e.g. because the connection that carried it ended.
			b.connectionsChanged(ctx, "redelivered")
		}
		// An agent's message is acknowledged once the ticket service has it, so that a
		// crash before that leaves Slack to send it again; never later than storeWait,
		// well inside Slack's 3 s (the relay goes on; it retries by itself).
		var once sync.Once
		ack := func() { once.Do(func() { b.ack(evt, nil, received) }) }
		bound := time.AfterFunc(storeWait, ack)
		if !b.onEvent(ctx, evt, func() { bound.Stop(); ack() }) {
			bound.Stop()
			ack()
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			b.ack(evt, nil, received)
			return
		}
		if cb.Type == slack.InteractionTypeViewSubmission {
			b.go_(ctx, func(ctx context.Context) {
				var after []func(context.Context)
				b.ack(evt, b.onSubmission(context.WithValue(ctx, afterAckKey{}, &after), &cb), received)
				for _, f := range after {
					f(ctx)
				}
			})
			return
		}
		b.ack(evt, nil, received)
		b.go_(ctx, func(ctx context.Context) { b.onInteraction(ctx, &cb) })
	case socketmode.EventTypeSlashCommand:
		b.ack(evt, nil, received)
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			b.go_(ctx, func(ctx context.Context) { b.onCommand(ctx, cmd) })
		}
	default:
		b.ack(evt, nil, received) // anything new: acknowledged, not acted on
	}
}

// ack acknowledges evt, received at received, with payload (none when nil).
func (b *Bot) ack(evt socketmode.Event, payload any, received time.Time) {
	// Bounded: slack-go's reply queue is full while a new connection's sender has not
	// started yet, and that start waits on this very event loop. An ack given up on is
	// sent again by Slack, and its work is deduplicated.
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	err := b.sm.AckCtx(ctx, evt.Request.EnvelopeID, payload)
	if err != nil {
		b.log.Error("ack", zap.String("envelope", evt.Request.EnvelopeID), zap.Error(err))
		return
	}
	b.cfg.Metrics.EnvelopeAcked(time.Since(received))
}

// ackBadMessage acknowledges an envelope slack-go could not decode, so that Slack does
// not send it again and again.
func (b *Bot) ackBadMessage(ctx context.Context, evt socketmode.Event) {
	bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if json.Unmarshal(bad.Message, &env) != nil || env.EnvelopeID == "" {
		return
	}
	b.log.Warn("undecodable envelope acknowledged", zap.String("envelope", env.EnvelopeID), zap.Error(bad.Cause))
	if err := b.sm.AckCtx(ctx, env.EnvelopeID, nil); err != nil {
		b.log.Error("ack", zap.String("envelope", env.EnvelopeID), zap.Error(err))
	}
}

// go_ runs f in its own goroutine under HandlerTimeout; Run waits for it before it returns.
func (b *Bot) go_(ctx context.Context, f func(ctx context.Context)) {
	b.spawn(func() {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.cfg.HandlerTimeout)
		defer cancel()
		f(hctx)
	})
}

// A goroutine that ran an event's work waits spareKeep for the next one (spawn), while
// fewer than spareIdle others wait: a channel's relay worker ends with each message it
// relays, and under load the next starts within milliseconds.
const (
	spareKeep = 2 * time.Second
	spareIdle = 64
)

// spawn runs f in a goroutine of its own (a spare one that ran earlier work, when one
// waits: package spare); Run waits for it before it returns.
func (b *Bot) spawn(f func()) {
	b.wg.Add(1)
	b.spare.Go(func() {
		defer b.wg.Done()
		// A handler that panics on a payload it did not expect loses that payload, never
		// the process.
		defer func() {
			if v := recover(); v != nil {
				b.log.Error("handler panicked", zap.Any("panic", v), zap.Stack("stack"))
			}
		}()
		f()
	})
}

func (b *Bot) onInteraction(ctx context.Context, cb *slack.InteractionCallback) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			// An action id may end in ":<n>" to be unique among the buttons of one block.
			name, _, _ := strings.Cut(a.ActionID, ":")
			if h := b.actions[name]; h != nil {
				h(ctx, cb, a)
			}
		}
	case slack.InteractionTypeMessageAction, slack.InteractionTypeShortcut:
		if h := b.shortcuts[cb.CallbackID]; h != nil {
			h(ctx, cb)
		}
	}
}

func (b *Bot) onSubmission(ctx context.Context, cb *slack.InteractionCallback) any {
	h := b.submissions[cb.View.CallbackID]
	if h == nil {
		return nil
	}
	if resp := h(ctx, cb); resp != nil {
		return resp
	}
	return nil
}

type afterAckKey struct{}

// afterAck runs f once the view submission being handled in ctx has been acknowledged
// (e.g. to update the view the acknowledgement put up). Outside a submission it does
// nothing.
func afterAck(ctx context.Context, f func(context.Context)) {
	if after, ok := ctx.Value(afterAckKey{}).(*[]func(context.Context)); ok {
		*after = append(*after, f)
	}
}
