package panel

import (
	"testing"

	"github.com/slack-go/slack"
)

// StateOf takes what the user entered, and falls back to the value the view was opened
// with for an input the state leaves out, for every kind of input the panels use.
func TestStateOf(t *testing.T) {
	text := slack.NewPlainTextInputBlockElement(nil, "value")
	text.InitialValue = "opened with"
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, nil, "value")
	sel.InitialConversation = "C1"
	users := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, nil, "value")
	users.InitialUsers = []string{"U1", "U2"}
	yes := slack.NewOptionBlockObject("yes", nil, nil)
	radio := slack.NewRadioButtonsBlockElement("value", yes)
	radio.InitialOption = yes
	boxes := slack.NewCheckboxGroupsBlockElement("value", yes)
	boxes.InitialOptions = []*slack.OptionBlockObject{yes, nil}
	v := &slack.View{
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("text", nil, nil, text), slack.NewInputBlock("typed", nil, nil, text),
			slack.NewInputBlock("sel", nil, nil, sel), slack.NewInputBlock("users", nil, nil, users),
			slack.NewInputBlock("radio", nil, nil, radio), slack.NewInputBlock("boxes", nil, nil, boxes),
		}},
		State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{"typed": {"value": {Value: "entered"}}}},
	}
	if got := StateOf(v, "typed", "value").Value; got != "entered" {
		t.Errorf("typed = %q, want what was entered", got)
	}
	if got := StateOf(v, "text", "value").Value; got != "opened with" {
		t.Errorf("text = %q, want the initial value", got)
	}
	if got := StateOf(v, "sel", "value").SelectedConversation; got != "C1" {
		t.Errorf("sel = %q", got)
	}
	if got := StateOf(v, "users", "value").SelectedUsers; len(got) != 2 {
		t.Errorf("users = %v", got)
	}
	if got := StateOf(v, "radio", "value").SelectedOption.Value; got != "yes" {
		t.Errorf("radio = %q", got)
	}
	if got := StateOf(v, "boxes", "value").SelectedOptions; len(got) != 1 || got[0].Value != "yes" {
		t.Errorf("boxes = %v", got)
	}
	if got := StateOf(nil, "text", "value"); got.Value != "" {
		t.Errorf("a nil view has %q", got.Value)
	}
}
