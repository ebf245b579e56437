package bot

import (
	"fmt"
	"testing"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// An agent's edit or deletion of a message or a note in an inbox channel reaches the
// ticket service, in the channel's order after the message; Frontdesk's own posts and
// edits that keep the text do not.
func TestBot_TakesAgentsChanges(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, Config{})
	inbox := w.active(t, "T-1", w.alice)
	m := w.alice.Post(inbox, "helo")
	note := w.alice.Reply(m, "vip")
	w.alice.Edit(m, "hello")
	w.alice.Edit(note, "VIP customer")
	gone := w.alice.Post(inbox, "wrong chat")
	w.alice.Delete(gone)
	want := `[agent:"hello":false internal:"VIP customer":false agent:"":true]`
	got := func() string {
		var s []string
		for _, m := range w.tk.transcript("T-1") {
			s = append(s, fmt.Sprintf("%s:%q:%v", m.Direction, m.Text, m.Deleted))
		}
		return fmt.Sprint(s)
	}
	w.await(t, "the changes taken", func() bool { return got() == want })
	// The bot's own message edited (a card updated, say) is not an agent's change.
	_, ts, err := w.desk.api.PostMessage(inbox.ID, slack.MsgOptionText("Live chat #1", false))
	if err != nil {
		t.Fatal(err)
	}
	posted := inbox.ExpectMessage("Live chat #1")
	if _, _, _, err := w.desk.api.UpdateMessage(inbox.ID, ts, slack.MsgOptionText("Live chat #1, picked", false)); err != nil {
		t.Fatal(err)
	}
	posted.ExpectUpdate("picked")
	w.alice.Post(inbox, "next") // taken after the bot's edit, in the channel's order
	want = want[:len(want)-1] + ` agent:"next":false]`
	w.await(t, "the next message", func() bool { return got() == want })
	if got() != want {
		t.Errorf("transcript %s, want %s", got(), want)
	}
	for _, msg := range w.tk.transcript("T-1") {
		if msg.Direction == tickets.FromAgent && msg.Text == "Live chat #1, picked" {
			t.Error("the bot's own edit was taken")
		}
	}
}
