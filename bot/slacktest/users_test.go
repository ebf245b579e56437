package slacktest

import (
	"context"
	"testing"

	"github.com/slack-go/slack"
)

func TestUsersInfo(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	api := newAPI(sim)
	sim.AddUser("ann", RealName("Ann Smith"), DisplayName("ann"), Email("ann@acme.test"))
	sim.AddUser("boss", Owner())
	sim.AddUser("adm", Admin())
	sim.AddUser("mcg", MultiChannelGuest())
	sim.AddUser("scg", SingleChannelGuest())
	sim.AddUser("helper", BotUser())
	sim.AddUser("left", Deactivated())

	for _, tc := range []struct {
		id   string
		want func(u *slack.User) bool
	}{
		{"UANN", func(u *slack.User) bool {
			return u.RealName == "Ann Smith" && u.Profile.DisplayName == "ann" && u.Profile.RealName == "Ann Smith" &&
				u.Profile.Email == "ann@acme.test" && !u.IsAdmin && !u.IsRestricted
		}},
		{"UBOSS", func(u *slack.User) bool { return u.IsOwner && u.IsAdmin }},
		{"UADM", func(u *slack.User) bool { return u.IsAdmin && !u.IsOwner }},
		{"UMCG", func(u *slack.User) bool { return u.IsRestricted && !u.IsUltraRestricted }},
		{"USCG", func(u *slack.User) bool { return u.IsRestricted && u.IsUltraRestricted }},
		{"UHELPER", func(u *slack.User) bool { return u.IsBot && u.Profile.BotID != "" }},
		{"ULEFT", func(u *slack.User) bool { return u.Deleted }},
		{BotUserID, func(u *slack.User) bool { return u.IsBot && u.Profile.BotID == BotID }},
	} {
		u, err := api.GetUserInfoContext(ctx, tc.id)
		must(t, err)
		if u.ID != tc.id || u.TeamID != TeamID || !tc.want(u) {
			t.Errorf("users.info %s = %+v", tc.id, u)
		}
	}
	_, err := api.GetUserInfoContext(ctx, "U404")
	wantSlackError(t, err, "user_not_found")
	if sim.User("ann").ID != "UANN" || sim.User("UBOSS").Name != "boss" || sim.User("nobody") != nil {
		t.Error("sim.User lookup")
	}
}

func TestReactions(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat-1", true, sim.Bot(), alice)
	api := newAPI(sim)
	msg := alice.Post(ch, "hi customer")
	ref := slack.NewRefToMessage(ch.ID, msg.TS)

	must(t, api.AddReactionContext(ctx, "white_check_mark", ref))
	msg.ExpectReaction("white_check_mark")
	wantSlackError(t, api.AddReactionContext(ctx, "white_check_mark", ref), "already_reacted")
	wantSlackError(t, api.AddReactionContext(ctx, "x", slack.NewRefToMessage(ch.ID, "1.000002")), "message_not_found")
	must(t, api.RemoveReactionContext(ctx, "white_check_mark", ref))
	if len(msg.Reactions()) != 0 {
		t.Errorf("reactions %v", msg.Reactions())
	}
	wantSlackError(t, api.RemoveReactionContext(ctx, "white_check_mark", ref), "no_reaction")
}
