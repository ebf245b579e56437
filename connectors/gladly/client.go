package gladly

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Client is Gladly's REST API as Frontdesk uses it, with the API user's credentials. It
// is the tickets.Source of Gladly tickets: it sends agents' replies to the customer's
// channel, closes conversations that agents end, and hands conversations to the Handoff
// inbox, by hand or when no one picks them within the SLA (a tickets.SLAHandBacker). The
// Processor reads conversations, items and customer profiles through it.
type Client struct {
	base         string // the API root, with a trailing slash
	email, token string
	handoffInbox string
	topics       []string
	sla          time.Duration
	retryFor     time.Duration
	timeout      time.Duration
	hc           *http.Client
	log          *zap.Logger
	now          func() time.Time
	progress     *progress
	pace         *pacer
	transcript   Transcript                                                    // nil: no hand-off note
	permalink    func(ctx context.Context, channel, ts string) (string, error) // may be nil
}

var _ tickets.SLAHandBacker = (*Client)(nil)

// callTimeout bounds each call to Gladly.
const callTimeout = 10 * time.Second

// newClient returns a client for the Gladly organisation of o, whose Config Connect
// checked.
func newClient(o options, log *zap.Logger) *Client {
	if log == nil {
		log = zap.NewNop()
	}
	perSecond := o.requestsPerSecond
	if perSecond == 0 {
		perSecond = DefaultRequestsPerSecond
	}
	return &Client{
		base: o.apiBase(), email: o.AgentEmail, token: o.APIToken,
		handoffInbox: o.HandoffInboxID, topics: o.CloseTopicIDs, sla: o.SLA,
		retryFor: o.RetryFor, timeout: callTimeout, hc: httpsrc.NoRedirects(), log: log.Named("gladly"),
		now: time.Now, progress: newProgress(), pace: newPacer(perSecond),
		transcript: o.transcript, permalink: o.permalink,
	}
}

// TakesChatsBack reports true: a Gladly conversation can always go to the Handoff inbox.
func (c *Client) TakesChatsBack() bool { return true }

// HandBackAfter is the SLA (Config.SLA): how long a ticket may wait for a pick before its
// conversation goes to the Handoff inbox; 0 means for ever.
func (c *Client) HandBackAfter() time.Duration { return c.sla }

// Deliver tells Gladly about out, for the conversation t.ConversationID:
//
//   - OutMessage, OutAccepted: the text (an agent message's files as links after it) is
//     a reply to the customer's latest message (see latestCustomerMessage), on its
//     channel, as the API user; a text longer than Gladly's 2048 characters goes as
//     several replies, in order. Nothing is sent for an empty OutAccepted text.
//   - OutTransferred: nothing; the conversation waits on in the AI inbox.
//   - OutEnded: the text as a reply when there is one, then the configured topics, then
//     the conversation is closed (status CLOSED, forced).
//   - OutHandedBack: the conversation goes to the Handoff inbox with no agent, status
//     OPEN (forced), where Gladly routes it to its people. The customer is told nothing.
//     Then, with a Transcript, a note on the conversation gives the Slack discussion
//     (handoffNote): the hand-off comes first, so that a note Gladly is slow to take
//     never keeps the customer waiting.
//
// Gladly takes no idempotency key. The steps of one key that went through are remembered
// in memory, so a retry goes on from the first that did not; a step whose answer was lost
// is done again. Errors follow the outbox's rules: 429 is a *tickets.RetryAfterError; a
// network error, 408 or 5xx is transient until RetryFor has passed since out.At, and
// permanent after; any other answer is permanent, with Gladly's errors[] (attr: code:
// detail) in the message, which Slack shows to the agent.
func (c *Client) Deliver(ctx context.Context, t *tickets.Ticket, out tickets.Outbound, key string) error {
	if t == nil || key == "" {
		return tickets.Permanent(errors.New("gladly: deliver needs a ticket and a key"))
	}
	if t.ConversationID == "" {
		return tickets.Permanent(fmt.Errorf("gladly: ticket %s has no Gladly conversation id", t.ID))
	}
	steps, err := c.plan(t, out, key)
	if err != nil {
		return tickets.Permanent(err)
	}
	log := c.log.With(zap.String("kind", string(out.Kind)), zap.String("key", key),
		zap.Int64("ticket", t.Number), zap.String("conversation", t.ConversationID))
	for i := c.progress.steps(key); i < len(steps); i++ {
		if err := steps[i].do(ctx); err != nil {
			log.Debug("not delivered", zap.String("step", steps[i].name), zap.Error(err))
			return httpsrc.GiveUpAfter(err, out.At, c.now(), c.retryFor)
		}
		if len(steps) > 1 {
			c.progress.mark(key, i+1)
		}
	}
	c.progress.forget(key)
	log.Debug("delivered", zap.Int("steps", len(steps)))
	return nil
}

// step is one call (or, for a long reply, a few) of a delivery.
type step struct {
	name string
	do   func(context.Context) error
}

// plan returns the steps that deliver out for t. Its errors will not go away on a retry.
func (c *Client) plan(t *tickets.Ticket, out tickets.Outbound, key string) ([]step, error) {
	conv := t.ConversationID
	say := func(text string) step {
		return step{"reply", func(ctx context.Context) error { return c.say(ctx, conv, text, key+"#reply") }}
	}
	switch out.Kind {
	case tickets.OutMessage:
		if out.Message == nil {
			return nil, fmt.Errorf("gladly: conversation %s: an agent message without its message", conv)
		}
		text := out.Text
		if text == "" {
			text = out.Message.Text
		}
		if text = tickets.WithLinks(text, out.Message.Attachments); strings.TrimSpace(text) == "" {
			return nil, nil
		}
		return []step{say(text)}, nil
	case tickets.OutAccepted:
		if strings.TrimSpace(out.Text) == "" {
			return nil, nil
		}
		return []step{say(out.Text)}, nil
	case tickets.OutTransferred:
		return nil, nil // the conversation waits on in the AI inbox
	case tickets.OutEnded:
		var steps []step
		if strings.TrimSpace(out.Text) != "" {
			steps = append(steps, say(out.Text))
		}
		if len(c.topics) > 0 {
			steps = append(steps, step{"topics", func(ctx context.Context) error { return c.addTopics(ctx, conv, c.topics) }})
		}
		return append(steps, step{"close", func(ctx context.Context) error {
			return c.updateConversation(ctx, "gladly: closing the conversation", conv, conversationUpdate{Status: &statusUpdate{Value: statusClosed, Force: true}})
		}}), nil
	case tickets.OutHandedBack:
		steps := []step{{"hand off", func(ctx context.Context) error {
			return c.updateConversation(ctx, "gladly: handing off to the Handoff inbox", conv, conversationUpdate{
				Assignee: &assigneeUpdate{InboxID: c.handoffInbox, AgentID: nil},
				Status:   &statusUpdate{Value: statusOpen, Force: true},
			})
		}}}
		if c.transcript != nil {
			steps = append(steps, step{"note", func(ctx context.Context) error { return c.handoffNote(ctx, t) }})
		}
		return steps, nil
	}
	return nil, fmt.Errorf("gladly: unknown outbound kind %q", out.Kind)
}

// say sends text as replies to the customer's latest message in conversation conv, going
// on after the parts that key's progress says went through.
func (c *Client) say(ctx context.Context, conv, text, key string) error {
	its, limited, err := c.items(ctx, conv)
	if err != nil {
		return err
	}
	if limited {
		c.log.Warn("Gladly listed only part of a long conversation; the reply may answer an older message",
			zap.String("conversation", conv), zap.Int("items", len(its)))
	}
	it := latestCustomerMessage(its)
	if it == nil {
		return tickets.Permanent(fmt.Errorf("gladly: conversation %s has no customer message to reply to", conv))
	}
	parts := replyParts(it.Content.Type, text)
	for i := c.progress.steps(key); i < len(parts); i++ {
		if err := c.reply(ctx, it.ID, parts[i]); err != nil {
			return err
		}
		if len(parts) > 1 {
			c.progress.mark(key, i+1)
		}
	}
	c.progress.forget(key)
	return nil
}
