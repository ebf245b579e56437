package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// FuzzAdminSubmission: whatever an admin panel submission carries (its private metadata
// and inputs can be forged by anyone who can post to the Socket Mode connection's other
// end), reading it never panics, and what it accepts is valid.
func FuzzAdminSubmission(f *testing.F) {
	f.Add("0,1|se", "C1", "Support", "Product: A, B\nRegion: EU", "https://acme.rest.vitally.io", "sk", "Frontdesk Requests", "push_new")
	f.Add("", "", "", "no colon here", "ftp://x", "a\x00b", strings.Repeat("o", 200), "")
	f.Add("999999999999999999999,-1,x|", "C", "L", ":,\n:", "http://", "", "", "update_existing")
	f.Fuzz(func(t *testing.T, meta, channel, label, categories, url, secret, object, sync string) {
		input := func(v string) map[string]slack.BlockAction {
			return map[string]slack.BlockAction{inputAction: {Value: v}}
		}
		values := map[string]map[string]slack.BlockAction{
			blockCategories:    input(categories),
			blockVitallyURL:    input(url),
			blockVitallySecret: input(secret),
			blockVitallyObject: input(object),
			blockVitallySync:   {inputAction: {SelectedOptions: []slack.OptionBlockObject{{Value: sync}}}},
			blockPicked:        input(label),
		}
		for _, id := range parseRows(strings.SplitN(meta, "|", 2)[0]) {
			values[teamChannel+itoa(id)] = map[string]slack.BlockAction{inputAction: {SelectedConversation: channel}}
			values[teamLabel+itoa(id)] = input(label)
		}
		v := &slack.View{PrivateMetadata: meta, State: &slack.ViewState{Values: values}}
		form := formFromState(v)
		if len(form.teams) > maxTeamRows {
			t.Fatalf("%d rows from forged metadata", len(form.teams))
		}
		cats, problem := parseCategories(form.categories)
		if problem == "" {
			st := tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C", Label: "L"}}, Categories: cats}
			if err := st.Validate(); err != nil {
				t.Fatalf("accepted categories are invalid: %v", err)
			}
		}
		errs := map[string]string{}
		vt := form.vitally.settings(errs)
		if _, bad := errs[blockVitallyURL]; !bad {
			if err := (tickets.Vitally{APIURL: vt.APIURL}).Validate(); err != nil {
				t.Fatalf("accepted a bad URL %q: %v", vt.APIURL, err)
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
		_ = formFromState(&cb.View)
		meta := strings.Split(cb.View.PrivateMetadata, "\n")
		_ = tickets.ID(meta[0])
		for _, a := range cb.ActionCallback.BlockActions {
			_ = tickets.ID(a.Value)
		}
		_, _ = parseMetadata(cb.View.PrivateMetadata)
		_ = stateOf(&cb.View, blockTitle)
		_ = viewValues(&cb.View)[blockAction][inputAction].SelectedOption.Value
	})
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
