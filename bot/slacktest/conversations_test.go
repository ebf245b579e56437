package slacktest

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestConversationsCreate(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	api := newAPI(sim)

	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "chat-42-ann", IsPrivate: true})
	must(t, err)
	if !ch.IsPrivate || ch.Name != "chat-42-ann" || !ch.IsMember || ch.Creator != BotUserID {
		t.Errorf("channel %+v", ch.GroupConversation)
	}
	got := sim.ExpectChannelCreated("chat-")
	if got.ID != ch.ID {
		t.Errorf("ExpectChannelCreated = %s, want %s", got.ID, ch.ID)
	}
	got.ExpectMember(sim.Bot())

	for _, tc := range []struct{ name, want string }{
		{"", "invalid_name_required"},
		{strings.Repeat("a", 81), "invalid_name_maxlength"},
		{"Chat-42", "invalid_name_specials"},
		{"chat 42", "invalid_name_specials"},
		{"chat#42", "invalid_name_specials"},
		{"--__", "invalid_name_punctuation"},
		{"chat-42-ann", "name_taken"},
	} {
		_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: tc.name})
		wantSlackError(t, err, tc.want)
	}
	_, err = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: strings.Repeat("a", 80) + ""})
	must(t, err)
	sim.ExpectChannelCreated("aaa")

	must(t, api.ArchiveConversationContext(ctx, ch.ID))
	_, err = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "chat-42-ann"})
	wantSlackError(t, err, "name_taken") // archived names stay taken
}

func TestConversationsInvite(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice, bob := sim.AddUser("alice"), sim.AddUser("bob")
	guest := sim.AddUser("gus", SingleChannelGuest())
	multi := sim.AddUser("mia", MultiChannelGuest())
	gone := sim.AddUser("gone", Deactivated())
	lobby := sim.AddChannel("lobby", false, guest, multi)
	inbox := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	other := sim.AddChannel("no-bot", false, alice)
	api := newAPI(sim)

	got, err := api.InviteUsersToConversationContext(ctx, inbox.ID, bob.ID, multi.ID)
	must(t, err)
	if got.NumMembers != 4 {
		t.Errorf("num_members %d, want 4", got.NumMembers)
	}
	inbox.ExpectMember(bob)
	inbox.ExpectMember(multi)

	for _, tc := range []struct {
		name, channel, users, want string
	}{
		{"AlreadyIn", inbox.ID, alice.ID, "already_in_channel"},
		{"BotNotMember", other.ID, bob.ID, "not_in_channel"},
		{"UnknownUser", inbox.ID, "U404", "user_not_found"},
		{"Self", inbox.ID, BotUserID, "cant_invite_self"},
		{"SingleChannelGuestElsewhere", inbox.ID, guest.ID, "ura_max_channels"},
		{"Deactivated", inbox.ID, gone.ID, "cant_invite"},
		{"OneBadFailsAll", inbox.ID, "U404," + guest.ID, "user_not_found"},
		{"UnknownChannel", "C404", bob.ID, "channel_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := api.InviteUsersToConversationContext(ctx, tc.channel, strings.Split(tc.users, ",")...)
			wantSlackError(t, err, tc.want)
		})
	}
	if lobby.Members()[0] != guest.ID {
		t.Errorf("lobby members %v", lobby.Members())
	}

	t.Run("Kick", func(t *testing.T) {
		must(t, api.KickUserFromConversationContext(ctx, inbox.ID, bob.ID))
		if strings.Contains(strings.Join(inbox.Members(), ","), bob.ID) {
			t.Errorf("bob still in %v", inbox.Members())
		}
		wantSlackError(t, api.KickUserFromConversationContext(ctx, inbox.ID, bob.ID), "not_in_channel")
		wantSlackError(t, api.KickUserFromConversationContext(ctx, inbox.ID, BotUserID), "cant_kick_self")
		wantSlackError(t, api.KickUserFromConversationContext(ctx, inbox.ID, "U404"), "user_not_found")
	})
}

func TestConversationsInfoMembersTopic(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	var users []*User
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5"} {
		users = append(users, sim.AddUser(n))
	}
	ch := sim.AddChannel("tickets", false, append([]*User{sim.Bot()}, users...)...)
	hidden := sim.AddChannel("secret", true, users[0])
	public := sim.AddChannel("public", false, users[0])
	api := newAPI(sim)

	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch.ID})
	must(t, err)
	if info.Name != "tickets" || info.IsPrivate || !info.IsMember || info.NumMembers != 6 {
		t.Errorf("info %+v", info.GroupConversation)
	}
	_, err = api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: hidden.ID})
	wantSlackError(t, err, "channel_not_found")
	info, err = api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: public.ID})
	must(t, err)
	if info.IsMember {
		t.Error("is_member true for a channel the bot is not in")
	}

	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		members, next, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: ch.ID, Cursor: cursor, Limit: 4})
		must(t, err)
		all = append(all, members...)
		if next == "" {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
		cursor = next
	}
	if len(all) != 6 || all[0] != BotUserID {
		t.Errorf("members %v", all)
	}
	_, _, err = api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: ch.ID, Cursor: "bogus"})
	wantSlackError(t, err, "invalid_cursor")

	got, err := api.SetTopicOfConversationContext(ctx, ch.ID, "Active — alice")
	must(t, err)
	if got.Topic.Value != "Active — alice" || ch.Topic() != "Active — alice" {
		t.Errorf("topic %q / %q", got.Topic.Value, ch.Topic())
	}
	ch.ExpectTopic("Active")
	got, err = api.SetPurposeOfConversationContext(ctx, ch.ID, "Live chat with Ann")
	must(t, err)
	if got.Purpose.Value != "Live chat with Ann" || ch.Purpose() != "Live chat with Ann" {
		t.Errorf("purpose %q", got.Purpose.Value)
	}
	_, err = api.SetTopicOfConversationContext(ctx, ch.ID, strings.Repeat("t", 251))
	wantSlackError(t, err, "too_long")
	_, err = api.SetTopicOfConversationContext(ctx, public.ID, "x")
	wantSlackError(t, err, "not_in_channel")
}

func TestConversationsArchive(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	ch := sim.AddChannel("chat-1", true, sim.Bot())
	api := newAPI(sim)
	must(t, api.ArchiveConversationContext(ctx, ch.ID))
	ch.ExpectArchived()
	wantSlackError(t, api.ArchiveConversationContext(ctx, ch.ID), "already_archived")
	_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("hello?", false))
	wantSlackError(t, err, "is_archived")
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch.ID})
	must(t, err)
	if !info.IsArchived {
		t.Error("conversations.info: is_archived false")
	}
}

func TestConversationsOpen(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	gone := sim.AddUser("gone", Deactivated())
	api := newAPI(sim)
	ch, _, already, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{alice.ID}})
	must(t, err)
	if !strings.HasPrefix(ch.ID, "D") || already {
		t.Errorf("open = %s, already_open %v", ch.ID, already)
	}
	again, _, already, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{alice.ID}, ReturnIM: true})
	must(t, err)
	if again.ID != ch.ID || !already || !again.IsIM || again.User != alice.ID {
		t.Errorf("second open = %+v, already_open %v", again.Conversation, already)
	}
	if alice.DM().ID != ch.ID {
		t.Errorf("DM() = %s, want %s", alice.DM().ID, ch.ID)
	}
	_, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U404"}})
	wantSlackError(t, err, "user_not_found")
	_, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{gone.ID}})
	wantSlackError(t, err, "user_disabled")
}

func TestConversationsList(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	sim.AddChannel("general", false)
	mine := sim.AddChannel("chat-1", true, sim.Bot())
	sim.AddChannel("secret", true)
	old := sim.AddChannel("chat-0", true, sim.Bot())
	api := newAPI(sim)
	must(t, api.ArchiveConversationContext(ctx, old.ID))

	var names []string
	params := &slack.GetConversationsParameters{Types: []string{"private_channel"}, Limit: 1, ExcludeArchived: true}
	for {
		chs, cursor, err := api.GetConversationsContext(ctx, params)
		must(t, err)
		for _, ch := range chs {
			names = append(names, ch.Name)
		}
		if cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	if strings.Join(names, ",") != mine.Name {
		t.Errorf("private channels %q", names)
	}
	chs, _, err := api.GetConversationsContext(ctx, &slack.GetConversationsParameters{})
	must(t, err)
	if len(chs) != 1 || chs[0].Name != "general" {
		t.Errorf("public channels %+v", chs)
	}
}
