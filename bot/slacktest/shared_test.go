package slacktest

import (
	"context"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// TestSharedChannel: a channel shared with another organisation (Slack Connect). Its
// person's messages say their team (team, user_team, source_team) and the envelope says
// the channel is shared; users.info gives their team and no email unless their
// organisation shares it; conversations.info and team.info describe the share; the
// person cannot post where their organisation is not; a reaction reaches the app.
func TestSharedChannel(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	api := newAPI(sim)
	c := startClient(t, sim, nil)
	alice := sim.AddUser("alice")
	dana := sim.AddUser("dana", External("TACME"))
	erin := sim.AddUser("erin", External("TACME"), SharesEmail())
	shared := sim.AddChannel("acme-support", false, sim.Bot(), alice, dana)
	internal := sim.AddChannel("internal", false, sim.Bot(), alice, dana)
	sim.ShareChannel(shared, "TACME")
	sim.SetTeamName("TACME", "Acme Corp")

	m := dana.Post(shared, "Our export fails")
	e := c.next(t)
	ev, _ := messageEvent(t, e)
	if ev.UserTeam != "TACME" || ev.SourceTeam != "TACME" || ev.Message == nil || ev.Message.Team != "TACME" {
		t.Errorf("an external person's message: user_team %q source_team %q team %+v", ev.UserTeam, ev.SourceTeam, ev.Message)
	}
	if outer := e.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent); !outer.IsExtSharedChannel {
		t.Error("the envelope does not say the channel is shared")
	}
	alice.Post(shared, "Looking")
	if ev, _ := messageEvent(t, c.next(t)); ev.UserTeam != TeamID || ev.Message.Team != TeamID {
		t.Errorf("our person's message: user_team %q team %q", ev.UserTeam, ev.Message.Team)
	}
	alice.Post(internal, "Hello team")
	if e := c.next(t); e.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent).IsExtSharedChannel {
		t.Error("an internal channel's envelope says it is shared")
	}
	if _, err := dana.tryPost(internal.ID, "", "hello?", nil); err == nil {
		t.Error("an external person posted in a channel not shared with their organisation")
	}

	u, err := api.GetUserInfoContext(ctx, dana.ID)
	must(t, err)
	if u.TeamID != "TACME" || u.Profile.Team != "TACME" || u.Profile.Email != "" || u.IsStranger {
		t.Errorf("users.info of an external member: team %q/%q email %q stranger %v", u.TeamID, u.Profile.Team, u.Profile.Email, u.IsStranger)
	}
	if u, err := api.GetUserInfoContext(ctx, erin.ID); err != nil || u.Profile.Email != "erin@example.com" || !u.IsStranger {
		t.Errorf("users.info of an external person sharing their email, in no channel with the app: %+v, %v", u, err)
	}
	if u, err := api.GetUserInfoContext(ctx, alice.ID); err != nil || u.TeamID != TeamID || u.Profile.Email == "" {
		t.Errorf("users.info of our person: %+v, %v", u, err)
	}

	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: shared.ID})
	must(t, err)
	if !info.IsShared || !info.IsExtShared || len(info.ConnectedTeamIDs) != 1 || info.ConnectedTeamIDs[0] != "TACME" || info.ConversationHostID != TeamID {
		t.Errorf("conversations.info of a shared channel: %+v", info.Conversation)
	}
	if info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: internal.ID}); err != nil || info.IsExtShared {
		t.Errorf("conversations.info of an internal channel: %+v, %v", info, err)
	}
	team, err := api.GetOtherTeamInfoContext(ctx, "TACME")
	if err != nil || team.Name != "Acme Corp" {
		t.Errorf("team.info of the partner = %+v, %v", team, err)
	}
	_, err = api.GetOtherTeamInfoContext(ctx, "TOTHER")
	wantSlackError(t, err, "team_not_found")

	dana.React(m, "ticket")
	re := c.next(t).Data.(slackevents.EventsAPIEvent)
	r, ok := re.InnerEvent.Data.(*slackevents.ReactionAddedEvent)
	if !ok || r.User != dana.ID || r.Reaction != "ticket" || r.Item.Channel != shared.ID || r.Item.Timestamp != m.TS || r.ItemUser != dana.ID {
		t.Errorf("reaction_added = %+v", re.InnerEvent.Data)
	}
	if got := m.Reactions(); len(got) != 1 || got[0] != "ticket" {
		t.Errorf("reactions = %v", got)
	}
}
