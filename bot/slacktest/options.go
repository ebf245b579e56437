package slacktest

import "time"

// Option configures a Sim.
type Option func(*options)

type options struct {
	timeout      time.Duration
	pingInterval time.Duration
	ackDeadline  time.Duration
	triggerTTL   time.Duration
	maxConns     int
	botEvents    map[string]bool // nil: every event is delivered
	latency      time.Duration   // added to every Web API call (see WithLatency)
	retryDelay   time.Duration   // see WithRetryDelay
}

func defaultOptions() options {
	return options{
		timeout:      5 * time.Second,
		pingInterval: 5 * time.Second,
		ackDeadline:  3 * time.Second,
		triggerTTL:   3 * time.Second,
		maxConns:     10,
	}
}

// WithTimeout sets how long Expect* calls wait (default 5 s).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithPingInterval sets how often each socket gets a PING frame (default 5 s;
// slack-go reconnects after 30 s without one).
func WithPingInterval(d time.Duration) Option { return func(o *options) { o.pingInterval = d } }

// WithAckDeadline sets how long the app has to ack an envelope (default 3 s, Slack's
// rule). Tests of the deadline itself may shorten it.
func WithAckDeadline(d time.Duration) Option { return func(o *options) { o.ackDeadline = d } }

// WithTriggerTTL sets how long a trigger_id stays valid (default 3 s).
func WithTriggerTTL(d time.Duration) Option { return func(o *options) { o.triggerTTL = d } }

// WithBotEvents restricts the Events API events delivered to those the app subscribes
// to, named as in the manifest's bot_events: "message.channels", "message.groups",
// "message.im", "member_joined_channel", "member_left_channel", "app_home_opened".
// Without it every event is delivered.
func WithBotEvents(names ...string) Option {
	return func(o *options) {
		o.botEvents = map[string]bool{}
		for _, n := range names {
			o.botEvents[n] = true
		}
	}
}
