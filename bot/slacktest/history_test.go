package slacktest

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestConversationsHistory(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	outsider := sim.AddChannel("public", false, alice)
	api := newAPI(sim)

	first := alice.Post(ch, "hello")
	_, posted, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("Ann: hello", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "frontdesk_post", EventPayload: map[string]any{"key": "m1"}}))
	must(t, err)
	ch.ExpectMessage("Ann: hello")
	alice.Reply(first, "internal note") // replies are not in history
	last := alice.Post(ch, "are you there?")

	h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, IncludeAllMetadata: true})
	must(t, err)
	var texts []string
	for _, m := range h.Messages {
		texts = append(texts, m.Text)
	}
	if got := strings.Join(texts, "|"); got != "are you there?|Ann: hello|hello" {
		t.Fatalf("history %q", got)
	}
	bot := h.Messages[1]
	if bot.Timestamp != posted || bot.BotID != BotID || bot.User != BotUserID ||
		bot.Metadata.EventType != "frontdesk_post" || bot.Metadata.EventPayload["key"] != "m1" {
		t.Errorf("bot message %+v", bot.Msg)
	}
	if h.Messages[2].ReplyCount != 1 {
		t.Errorf("reply_count %d", h.Messages[2].ReplyCount)
	}

	page1, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, Limit: 2})
	must(t, err)
	if len(page1.Messages) != 2 || !page1.HasMore || page1.ResponseMetaData.NextCursor == "" {
		t.Fatalf("page 1: %d messages, has_more %v", len(page1.Messages), page1.HasMore)
	}
	page2, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, Limit: 2, Cursor: page1.ResponseMetaData.NextCursor})
	must(t, err)
	if len(page2.Messages) != 1 || page2.Messages[0].Text != "hello" || page2.HasMore {
		t.Errorf("page 2: %+v", page2.Messages)
	}
	newer, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, Oldest: posted})
	must(t, err)
	if len(newer.Messages) != 1 || newer.Messages[0].Timestamp != last.TS {
		t.Errorf("oldest=%s: %d messages", posted, len(newer.Messages))
	}

	replies, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: ch.ID, Timestamp: first.TS})
	must(t, err)
	if len(replies) != 2 || replies[1].Text != "internal note" || replies[1].ThreadTimestamp != first.TS {
		t.Errorf("replies %+v", replies)
	}
	_, err = api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: outsider.ID})
	wantSlackError(t, err, "not_in_channel")
}

func TestTimestampsIncrease(t *testing.T) {
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("c", false, alice)
	prev := ""
	for range 200 {
		m := alice.Post(ch, "x")
		if len(m.TS) != len("1700000000.000100") || m.TS <= prev {
			t.Fatalf("ts %q after %q", m.TS, prev)
		}
		prev = m.TS
	}
}
