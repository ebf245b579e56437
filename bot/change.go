package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A customer's message shows in Slack as the desk posted it (Post): under the card while
// the ticket waited for a pick, in the inbox channel once picked (held messages again, by
// the pick's replay). Each such post names the message in its metadata, so a change of
// the message where it was written (an edit, a deletion) finds them by reading Slack,
// which costs the relay nothing: changes are rare, messages many.

// changePages bounds how many pages (changePageSize messages each) of a channel's history
// or a thread a change looks through for the posts of its message.
const (
	changePages    = 5
	changePageSize = 200
)

// changeLookBack is how long before a message was written its search of the inbox
// channel's history starts (Slack's clock against ours).
const changeLookBack = time.Minute

// ShowChange brings every post of customer message m (under t's card, in its inbox
// channel) up to m as it now is: its new text marked edited, or a line saying it was
// deleted. A post not found (never made, or deleted in Slack) is let be.
func (d *Desk) ShowChange(ctx context.Context, t *tickets.Ticket, m tickets.Message, key string) error {
	name, _ := authorOf(t, m)
	if !t.Card.IsZero() {
		if err := d.changePosts(ctx, t, m, t.Card.Channel, t.Card.TS, underCardText(name, customerText(m)), key); err != nil {
			return err
		}
	}
	if t.Inbox != "" {
		return d.changePosts(ctx, t, m, t.Inbox, "", customerText(m), key)
	}
	return nil
}

// changePosts updates to text the posts of message m in channel (in thread when set).
func (d *Desk) changePosts(ctx context.Context, t *tickets.Ticket, m tickets.Message, channel, thread, text, key string) error {
	posts, err := d.findPostsOf(ctx, channel, thread, m)
	if err != nil {
		return err
	}
	for _, ts := range posts {
		err := d.update(ctx, t, channel, ts, key+":"+channel+":"+ts, "a changed customer message", slack.MsgOptionText(text, false))
		if err != nil {
			return err
		}
	}
	if len(posts) == 0 {
		d.log.Debug("a changed customer message shows nowhere in Slack", zap.String("ticket", string(t.ID)), zap.String("channel", channel))
	}
	return nil
}

// findPostsOf returns the ts of the posts whose metadata names message m: in the thread
// of thread, or in channel's history since a little before m was written.
func (d *Desk) findPostsOf(ctx context.Context, channel, thread string, m tickets.Message) ([]string, error) {
	var found []string
	cursor := ""
	for range changePages {
		var msgs []slack.Message
		var next string
		var err error
		if thread != "" {
			msgs, _, next, err = d.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: thread, Limit: changePageSize, Cursor: cursor, IncludeAllMetadata: true,
			})
		} else {
			var h *slack.GetConversationHistoryResponse
			h, err = d.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: slackTS(m.At.Add(-changeLookBack)), Limit: changePageSize, Cursor: cursor,
				IncludeAllMetadata: true,
			})
			if h != nil {
				msgs, next = h.Messages, h.ResponseMetaData.NextCursor
			}
		}
		if err != nil {
			return nil, classify("conversations.history", err)
		}
		for _, p := range msgs {
			if p.Metadata.EventType == metadataType && p.Metadata.EventPayload["message"] == m.ID {
				found = append(found, p.Timestamp)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return found, nil
}
