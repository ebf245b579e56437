package bot

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// FuzzAdminSubmission: whatever an admin panel submission carries (its private metadata
// and inputs can be forged by anyone who can post to the Socket Mode connection's other
// end), reading it never panics, what it accepts is valid, each section gets its own
// metadata back, and the panel renders what was read.
func FuzzAdminSubmission(f *testing.F) {
	f.Add("0,1|t|", "C1", "Support", "Product: A, B\nRegion: EU", "https://crm.example/api", "tok")
	f.Add("", "", "", "no colon here", "ftp://x", "a\x00b")
	f.Add("999999999999999999999,-1,x|", "C", "L", ":,\n:", "https://", "")
	f.Add("0|t|t|t|t", "C", "L", "", "", "")
	f.Add("0|", "C", "L", "Greeting: Hi {customer_name}!\n---\nRefund: on its way\nin 3: days\n---\n", "", "")
	f.Fuzz(func(t *testing.T, meta, channel, label, categories, endpoint, token string) {
		input := func(v string) map[string]slack.BlockAction {
			return map[string]slack.BlockAction{inputAction: {Value: v}}
		}
		desk := fakeSection{sink: "desk", label: "Fake Desk"}
		sections := []panel.Section{fakeCRM, desk}
		values := map[string]map[string]slack.BlockAction{
			blockCategories:         input(categories),
			blockReplies:            input(categories), // the same text as saved replies
			fakeCRM.endpointBlock(): input(endpoint),
			fakeCRM.tokenBlock():    input(token),
			desk.endpointBlock():    input(token),
			blockPicked:             input(label),
		}
		for _, id := range parseRows(strings.SplitN(meta, "|", 2)[0]) {
			values[teamChannel+itoa(id)] = map[string]slack.BlockAction{inputAction: {SelectedConversation: channel}}
			values[teamLabel+itoa(id)] = input(label)
		}
		// The panel as rendered shows both sections (formFromState leaves out one it did
		// not show).
		shown := append(fakeCRM.Form(nil).Blocks(), desk.Form(nil).Blocks()...)
		v := &slack.View{PrivateMetadata: meta, State: &slack.ViewState{Values: values}, Blocks: slack.Blocks{BlockSet: shown}}
		form := formFromState(v, sections)
		if len(form.teams) > maxTeamRows {
			t.Fatalf("%d rows from forged metadata", len(form.teams))
		}
		if len(form.sections) != len(sections) {
			t.Fatalf("%d section forms for %d sections", len(form.sections), len(sections))
		}
		cats, problem := parseCategories(form.categories)
		if problem == "" {
			st := tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C", Label: "L"}}, Categories: cats}
			if err := st.Validate(); err != nil {
				t.Fatalf("accepted categories are invalid: %v", err)
			}
		}
		replies, problem := parseSavedReplies(form.replies)
		if problem == "" {
			st := tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C", Label: "L"}}, SavedReplies: replies}
			if err := st.Validate(); err != nil {
				t.Fatalf("accepted saved replies are invalid: %v", err)
			}
			if back, problem := parseSavedReplies(savedRepliesText(replies)); problem != "" || !reflect.DeepEqual(back, replies) {
				t.Fatalf("saved replies %q came back as %q (%s)", replies, back, problem)
			}
		}
		_, again := parseMetadata(panelMetadata(form), len(sections))
		for i, sf := range form.sections {
			if sf == nil {
				t.Fatalf("section %d was shown but not read", i)
			}
			if again[i] != sf.Metadata() {
				t.Fatalf("section %d's metadata %q came back as %q", i, sf.Metadata(), again[i])
			}
		}
		_ = adminView(form) // renders whatever was read
	})
}

// FuzzInteractionPayload: a Socket Mode interaction payload as Slack (or someone posing
// as it) might send it decodes and is read by the modals' parsers without panicking.
func FuzzInteractionPayload(f *testing.F) {
	f.Add([]byte(`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"ticket_details_modal","private_metadata":"1-1\nProduct","state":{"values":{"details_title":{"value":{"type":"plain_text_input","value":"t"}}}}}}`))
	f.Add([]byte(`{"type":"block_actions","actions":[{"action_id":"ticket_pick","value":"1-1"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cb slack.InteractionCallback
		if json.Unmarshal(raw, &cb) != nil {
			return
		}
		_ = formFromState(&cb.View, []panel.Section{fakeCRM})
		meta := strings.Split(cb.View.PrivateMetadata, "\n")
		_ = tickets.ID(meta[0])
		for _, a := range cb.ActionCallback.BlockActions {
			_ = tickets.ID(a.Value)
		}
		_, _ = parseMetadata(cb.View.PrivateMetadata, 2)
		_ = stateOf(&cb.View, blockTitle)
		_ = viewValues(&cb.View)[blockAction][inputAction].SelectedOption.Value
	})
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
