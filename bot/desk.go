package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Desk is tickets.Desk on Slack: cards in ticketing channels, inbox channels, relayed
// customer messages and notices. Every call is safe to repeat: posts carry their outbox key
// in message metadata, and a retried post first looks for an earlier success.
type Desk struct {
	api *slack.Client
	log *zap.Logger

	links *lru.Cache[string, string] // channel/ts → permalink
	dms   *lru.Cache[string, string] // user → the bot's direct message channel with them
	posts *lru.Cache[string, string] // post key → ts, of the posts this process made lately

	selfMu sync.Mutex
	self   string // the bot's user id, once asked for (selfID)

	marks *rate.Limiter // the pace of delivery marks (marks.go)
	pace  *slackPace    // the lines of the limits Slack enforced lately (pace.go)

	fetch   *http.Client // fetches customers' files to share in Slack (upload.go)
	uploads uploads      // the files shared already, by post
}

var _ tickets.Desk = (*Desk)(nil)

// NewDesk returns a Desk that posts through api. A nil log logs nothing.
func NewDesk(api *slack.Client, log *zap.Logger) (*Desk, error) {
	if api == nil {
		return nil, errors.New("bot: NewDesk needs a Slack client")
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Desk{api: api, log: log.Named("desk"), links: newMemo[string](), dms: newMemo[string](), posts: newMemo[string](),
		marks: rate.NewLimiter(rate.Every(time.Minute/marksPerMinute), marksBurst), pace: newSlackPace(),
		fetch: &http.Client{Timeout: fetchTimeout}}, nil
}

// FetchVia has the desk fetch customers' files through rt (internal/app answers
// Frontdesk's own links in process this way). Call it before the desk is used.
func (d *Desk) FetchVia(rt http.RoundTripper) { d.fetch.Transport = rt }

// PostCard posts t's card in team's ticketing channel and a copy to each user to notify.
// A copy that cannot reach its user (a deactivated account, say) is left out and logged;
// it never holds up the card.
func (d *Desk) PostCard(ctx context.Context, t *tickets.Ticket, team tickets.Team, notify []tickets.AgentID, key string) (tickets.Card, error) {
	blocks, text := cardBlocks(t, team.ChannelID, d.requestLink(ctx, t)), cardFallback(t, team.ChannelID)
	ts, err := d.send(ctx, sending{card: true}, team.ChannelID, "", key, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false))
	if err != nil {
		return tickets.Card{}, err
	}
	card := tickets.Card{Channel: team.ChannelID, TS: ts}
	for _, u := range notify {
		dm, err := d.dm(ctx, u)
		if err == nil {
			ts, err = d.send(ctx, sending{card: true}, dm, "", key+":dm:"+string(u), slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false))
		}
		if err != nil {
			if err = classify("chat.postMessage", err); !tickets.IsPermanent(err) {
				return tickets.Card{}, err
			}
			d.log.Warn("cannot send a ticket card to a priority group member",
				zap.String("ticket", string(t.ID)), zap.String("user", string(u)), zap.Error(err))
			continue
		}
		card.Copies = append(card.Copies, tickets.Card{Channel: dm, TS: ts})
	}
	return card, nil
}

// UpdateCard re-renders card c and its copies from t. A card someone deleted is let be.
func (d *Desk) UpdateCard(ctx context.Context, t *tickets.Ticket, c tickets.Card, key string) error {
	blocks, text := cardBlocks(t, c.Channel, d.requestLink(ctx, t)), cardFallback(t, c.Channel)
	for _, m := range append([]tickets.Card{{Channel: c.Channel, TS: c.TS}}, c.Copies...) {
		err := d.update(ctx, t, m.Channel, m.TS, key+":"+m.Channel, "ticket card", slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false))
		if err != nil {
			return err
		}
	}
	return nil
}

// update changes message ts in channel (chat.update), in its turn after a 429 (turnKey,
// pace.go). A message that cannot be updated (deleted, in an archived or deleted
// channel) is logged, naming what it is, and let be.
func (d *Desk) update(ctx context.Context, t *tickets.Ticket, channel, ts, turnKey, what string, opts ...slack.MsgOption) error {
	if err := d.turn("chat.update", turnKey, false); err != nil {
		return err
	}
	_, _, _, err := d.api.UpdateMessageContext(ctx, channel, ts, opts...)
	d.limitedBy(err, "chat.update", tier3Every, turnKey)
	switch slackCode(err) {
	case "":
		if err != nil {
			return classify("chat.update", err)
		}
	case "message_not_found", "cant_update_message", "channel_not_found", "is_archived":
		d.log.Warn(what+" cannot be updated; leaving it", zap.String("ticket", string(t.ID)),
			zap.String("channel", channel), zap.Error(err))
	default:
		return classify("chat.update", err)
	}
	return nil
}

// Post shows customer message m under t's card or in its inbox channel, under the
// customer's name.
func (d *Desk) Post(ctx context.Context, t *tickets.Ticket, m tickets.Message, place tickets.Place, key string) error {
	name, icon := authorOf(t, m)
	text := customerText(m) // the files to share in Slack are not in it (upload.go)
	var channel, thread string
	var err error
	switch place {
	case tickets.PlaceCard:
		if t.Card.IsZero() {
			return tickets.Permanent(fmt.Errorf("ticket %s has no card to post under", t.ID))
		}
		channel, thread = t.Card.Channel, t.Card.TS
		if text != "" {
			_, err = d.send(ctx, sending{message: m.ID}, channel, thread, key, slack.MsgOptionText(underCardText(name, text), false))
		}
	case tickets.PlaceInbox:
		channel = t.Inbox
		if text != "" {
			_, err = d.send(ctx, sending{message: m.ID}, channel, "", key, slack.MsgOptionText(text, false),
				slack.MsgOptionUsername(name), slack.MsgOptionIconEmoji(icon))
		}
	default:
		return tickets.Permanent(fmt.Errorf("unknown place %q", place))
	}
	if err != nil {
		return err
	}
	return d.shareFiles(ctx, t, m, channel, thread, key)
}

// authorOf is the name and icon customer message m shows under in Slack: the customer's,
// or for someone who answered from the source's own app, theirs and where (so that no
// one answers twice).
func authorOf(t *tickets.Ticket, m tickets.Message) (name, icon string) {
	if m.Direction != tickets.FromSourceAgent {
		return clip(t.Customer.DisplayName(), 80), ":bust_in_silhouette:"
	}
	who := m.Author.Name
	if who == "" {
		who = "An agent"
	}
	return clip(who+" (in "+sourceLabel(t)+")", 80), ":speech_balloon:"
}

// Notice posts the status line for ev in t's inbox channel.
func (d *Desk) Notice(ctx context.Context, t *tickets.Ticket, ev tickets.Event, key string) error {
	if ev.Type == tickets.EventSynced {
		return d.syncNotice(ctx, t, ev, key)
	}
	text := noticeText(t, ev)
	if text == "" || t.Inbox == "" {
		return nil
	}
	_, err := d.post(ctx, t.Inbox, "", key, slack.MsgOptionText(text, false))
	if ev.Type == tickets.EventRated && slackCode(err) == "is_archived" {
		return nil // the rating came after the channel was archived; the card shows it
	}
	return err
}

// Remind mentions the whole ticketing channel in the thread of card c: the ticket still
// waits for someone to pick it.
func (d *Desk) Remind(ctx context.Context, t *tickets.Ticket, c tickets.Card, key string) error {
	text := fmt.Sprintf("<!channel> Ticket %s is still waiting for someone to pick it.", esc(ticketTitle(t)))
	_, err := d.post(ctx, c.Channel, c.TS, key, slack.MsgOptionText(text, false))
	return err
}

// ArchiveInbox archives t's inbox channel.
func (d *Desk) ArchiveInbox(ctx context.Context, t *tickets.Ticket, _ string) error {
	if t.Inbox == "" {
		return nil
	}
	err := d.api.ArchiveConversationContext(ctx, t.Inbox)
	if slackCode(err) == "already_archived" {
		return nil
	}
	return classify("conversations.archive", err)
}

// post posts a message tagged with key in channel (in thread when thread is set). On a
// retry it first looks for a message tagged with key, which an earlier attempt may have
// posted before it failed or crashed, and returns that one instead of posting again.
func (d *Desk) post(ctx context.Context, channel, thread, key string, opts ...slack.MsgOption) (string, error) {
	return d.send(ctx, sending{}, channel, thread, key, opts...)
}

// sending says what a post is: a ticket's card (card), or a customer's message (message,
// its id, which the post's metadata names so that a change of it finds where it shows:
// change.go).
type sending struct {
	card    bool
	message string
}

// send is post, as how says: in a channel Slack has rate-limited, a post waits in line
// (pace.go), the cards first.
func (d *Desk) send(ctx context.Context, how sending, channel, thread, key string, opts ...slack.MsgOption) (string, error) {
	card := how.card
	var refused *refusedPost
	if ts, ok := d.postedBefore(key); ok {
		return ts, nil // an earlier attempt in this process posted it
	}
	if tickets.IsRetry(ctx) && !tickets.IsNotStarted(tickets.LastError(ctx)) && !(errors.As(tickets.LastError(ctx), &refused) && refused.key == key) {
		ts, err := d.findPosted(ctx, channel, thread, key)
		if err != nil {
			return "", err
		}
		if ts != "" {
			return ts, nil
		}
	}
	limit := "chat.postMessage " + channel
	if err := d.turn(limit, key, card); err != nil {
		// Nothing was posted (an earlier attempt's post was looked for above): the next
		// attempt need not look.
		return "", &refusedPost{key: key, err: err}
	}
	payload := map[string]any{"key": key}
	if how.message != "" {
		payload["message"] = how.message
	}
	opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataType, EventPayload: payload}))
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, ts, err := d.api.PostMessageContext(ctx, channel, opts...)
	if err == nil {
		d.rememberPost(key, ts)
	}
	err = classify("chat.postMessage", err)
	if after, limited := tickets.RetryAfter(err); limited {
		// Slack refused the call, so nothing was posted: the next attempt need not look
		// (conversations.history is rate-limited more tightly than posting).
		d.pace.limited(limit, postEvery, key, card, after)
		err = &refusedPost{key: key, err: err}
	}
	return ts, err
}

// turn returns a RetryAfterError when the call keyed key must wait in limit's line
// (pace.go) before it goes to Slack, nil when it may go now.
func (d *Desk) turn(limit, key string, card bool) error {
	wait := d.pace.wait(limit, key, card)
	if wait == 0 {
		return nil
	}
	return &tickets.RetryAfterError{After: wait,
		Err: fmt.Errorf("%s: waiting for a turn; Slack rate-limited it lately", limit)}
}

// limitedBy puts the call keyed key in limit's line (turns every apart) when err is
// Slack's 429.
func (d *Desk) limitedBy(err error, limit string, every time.Duration, key string) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		d.pace.limited(limit, every, key, false, rl.RetryAfter)
	}
}

// refusedPost is a post Slack rate-limited: it certainly did not happen.
type refusedPost struct {
	key string
	err error
}

func (e *refusedPost) Error() string { return e.err.Error() }
func (e *refusedPost) Unwrap() error { return e.err }

// historyLookback is how many of a channel's latest messages a retry looks through.
const historyLookback = 100

// findPosted returns the ts of a message tagged with key among channel's (or thread's)
// latest messages, or "".
func (d *Desk) findPosted(ctx context.Context, channel, thread, key string) (string, error) {
	var msgs []slack.Message
	var err error
	if thread != "" {
		msgs, _, _, err = d.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: thread, Limit: historyLookback, IncludeAllMetadata: true,
		})
	} else {
		var h *slack.GetConversationHistoryResponse
		h, err = d.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Limit: historyLookback, IncludeAllMetadata: true,
		})
		if h != nil {
			msgs = h.Messages
		}
	}
	if err != nil {
		return "", classify("conversations.history", err)
	}
	for _, m := range msgs {
		if m.Metadata.EventType == metadataType && m.Metadata.EventPayload["key"] == key {
			return m.Timestamp, nil
		}
	}
	return "", nil
}

// syncNotice tells agents that a sink does not (or again does) hold the ticket: in the
// inbox channel while the chat is open there, else under the card.
func (d *Desk) syncNotice(ctx context.Context, t *tickets.Ticket, ev tickets.Event, key string) error {
	if ev.Sync == nil {
		return nil
	}
	text := syncLine(ev.Sink, *ev.Sync)
	switch {
	case t.Inbox != "" && t.IsOpen():
		_, err := d.post(ctx, t.Inbox, "", key, slack.MsgOptionText(text, false))
		return err
	case !t.Card.IsZero():
		_, err := d.post(ctx, t.Card.Channel, t.Card.TS, key, slack.MsgOptionText(text, false))
		return err
	}
	return nil
}

// postedBefore is the ts of the post keyed key this process made, if it made one
// lately: a retry of its event (an alert's next post waited its turn) finds it without
// reading the channel.
func (d *Desk) postedBefore(key string) (string, bool) {
	return d.posts.Get(key)
}

// rememberPost notes that the post keyed key is ts.
func (d *Desk) rememberPost(key, ts string) {
	d.posts.Add(key, ts)
}

// dm is the bot's direct message channel with user (conversations.open), remembered: it
// never changes.
func (d *Desk) dm(ctx context.Context, user tickets.AgentID) (string, error) {
	if ch, ok := d.dms.Get(string(user)); ok {
		return ch, nil
	}
	c, _, _, err := d.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{string(user)}})
	if err != nil {
		return "", err
	}
	d.dms.Add(string(user), c.ID)
	return c.ID, nil
}

// Permalink returns Slack's link to message ts in channel. Links are remembered: they
// never change.
func (d *Desk) Permalink(ctx context.Context, channel, ts string) (string, error) {
	key := channel + "/" + ts
	if link, ok := d.links.Get(key); ok {
		return link, nil
	}
	if err := d.turn("chat.getPermalink", key, false); err != nil {
		return "", err
	}
	link, err := d.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil {
		d.limitedBy(err, "chat.getPermalink", tier4Every, key)
		return "", classify("chat.getPermalink", err)
	}
	d.links.Add(key, link)
	return link, nil
}

// requestLink is the link to the customer's message that began t, for a customer
// channel's request (chat.getPermalink, remembered), or "". A card goes without it when
// Slack does not give it: the channel is named there anyway.
func (d *Desk) requestLink(ctx context.Context, t *tickets.Ticket) string {
	channel, ts, ok := tickets.SplitChannelConversation(t.ConversationID)
	if !t.InThread() || !ok {
		return ""
	}
	link, err := d.Permalink(ctx, channel, ts)
	if err != nil {
		d.log.Info("a request's link for its card", zap.String("ticket", string(t.ID)), zap.Error(err))
		return ""
	}
	return link
}

// maxRemembered bounds each of the bot's memories of what Slack said (permalinks, direct
// message channels, posts made, users, channel members, organisations' names): past it,
// the least recently used is forgotten, and asked again if need be.
const maxRemembered = 10000

// newMemo is one such memory.
func newMemo[V any]() *lru.Cache[string, V] {
	c, err := lru.New[string, V](maxRemembered)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}
