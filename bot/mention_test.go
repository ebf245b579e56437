package bot

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
)

// @Frontdesk answers in the message's thread what the channel is: a team's ticketing
// channel with the tickets waiting there, a ticket's inbox channel and where the ticket
// stands (the mention is not relayed to the customer), or a channel not set up, with how
// to set it up. A mention in a thread is answered in that thread.
func TestBot_AnswersMentions(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, Config{})
	me := "<@" + slacktest.BotUserID + ">"
	card := w.pending(t, "T-1")
	q := w.alice.Post(w.support, me+" are you in here?")
	q.ExpectReply("ticketing channel of *Support Team*", "1 ticket is waiting for a pick")

	inbox := w.active(t, "T-2", w.alice)
	q = w.alice.Post(inbox, me+" what is this channel?")
	q.ExpectReply("inbox channel of ticket #", "Carol", "handled by <@"+w.alice.ID+">")
	// The channel's messages are relayed in order: once the next one is in, the mention
	// would be too.
	w.alice.Post(inbox, "Hello Carol")
	w.await(t, "the next message relayed", func() bool { return len(w.tk.transcript("T-2")) > 0 })
	if got := w.tk.transcript("T-2"); len(got) != 1 || got[0].Text != "Hello Carol" {
		t.Errorf("the transcript (what goes to the customer) is %+v, want only the message after the mention", got)
	}

	other := w.sim.AddChannel("random", false, w.sim.Bot(), w.bob)
	q = w.bob.Post(other, me+" hello")
	q.ExpectReply("not set up in Frontdesk", "admin panel")

	// In a thread: the answer goes to that thread.
	w.bob.Reply(card, me+" status?")
	card.ExpectReply("ticketing channel of *Support Team*")
}
