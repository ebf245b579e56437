package bot

import (
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestControl: Live Chat Control, the message shortcut in an inbox channel, transfers a
// chat to another team and ends it. What the agent must fix comes back on the modal's
// field and changes nothing.
func TestControl(t *testing.T) {
	w := newWorkspace(t, Config{})
	inbox := w.active(t, "T1", w.alice, w.bob)
	msg := w.alice.Reply(w.alice.Post(inbox, "Let me check with billing"), "internal: billing knows")
	// Relayed before anything below ends the chat: a message relayed late would be
	// refused as the ended chat's, with an ephemeral nobody expects.
	w.await(t, "the message and the note relayed", func() bool { return len(w.tk.transcript("T1")) >= 2 })
	holder := tickets.AgentID(w.alice.ID)
	unchanged := func(t *testing.T, why string) {
		t.Helper()
		if got := w.tk.ticket("T1"); got.Status != tickets.StatusActive || got.Team.ChannelID != w.support.ID ||
			got.Assignee.ID != holder || len(got.Transfers) != 0 {
			t.Errorf("after %s T1 is %s in %s, held by %q", why, got.Status, got.Team.Label, got.Assignee.ID)
		}
	}

	t.Run("OutsideAnInbox", func(t *testing.T) {
		w.alice.Shortcut(w.alice.Post(w.support, "hello team"), ShortcutControl)
		w.alice.ExpectEphemeral("Live Chat Control works on messages in a live chat's inbox channel")
	})

	w.alice.Shortcut(msg, ShortcutControl)
	v := w.alice.ExpectView("Live Chat Control", "Ticket #1", "Processing by <@"+w.alice.ID)
	t.Run("TransferWithoutATeam", func(t *testing.T) {
		ack := w.alice.Submit(v, map[string]any{blockAction: "Transfer to another team"})
		if why := ack.Errors()[blockTeam]; why != "Choose the team to transfer the chat to." {
			t.Errorf("errors = %v, want the team asked for", ack.Errors())
		}
		unchanged(t, "a transfer without a team")
	})
	t.Run("EndWithTooLongANote", func(t *testing.T) {
		// Within the input's 2,000 characters, beyond the service's 2,000 bytes.
		ack := w.alice.Submit(v, map[string]any{blockAction: "End the live chat", blockReason: strings.Repeat("é", 1500)})
		if why := ack.Errors()[blockReason]; !strings.Contains(why, "longer than 2000 bytes") {
			t.Errorf("errors = %v, want the note refused", ack.Errors())
		}
		unchanged(t, "an end refused")
	})
	t.Run("Transfer", func(t *testing.T) {
		ack := w.alice.Submit(v, map[string]any{blockAction: "Transfer to another team", blockTeam: "Billing"})
		if len(ack.Errors()) > 0 {
			t.Fatalf("refused: %v", ack.Errors())
		}
		v.ExpectClosed()
		got := w.tk.ticket("T1")
		if got.Status != tickets.StatusPending || got.Team.ChannelID != w.billing.ID || got.Assignee.ID != "" ||
			len(got.Transfers) != 1 || got.Transfers[0].By.ID != holder {
			t.Errorf("after the transfer T1 is %s in %s, held by %q, transfers %+v", got.Status, got.Team.Label, got.Assignee.ID, got.Transfers)
		}
	})
	t.Run("TransferToTheTeamItWaitsIn", func(t *testing.T) {
		w.alice.Shortcut(msg, ShortcutControl)
		v := w.alice.ExpectView("Live Chat Control", "Ticket #1", "Pending")
		ack := w.alice.Submit(v, map[string]any{blockAction: "Transfer to another team", blockTeam: "Billing"})
		if why := ack.Errors()[blockTeam]; why != "The chat is already waiting in that team." {
			t.Errorf("errors = %v, want the same team refused", ack.Errors())
		}
		if got := w.tk.ticket("T1"); len(got.Transfers) != 1 {
			t.Errorf("%d transfers, want 1", len(got.Transfers))
		}
		w.alice.CloseView(v)
	})
	t.Run("End", func(t *testing.T) {
		// bob has the modal open too; alice ends the chat first.
		w.bob.Shortcut(msg, ShortcutControl)
		late := w.bob.ExpectView("Live Chat Control")
		w.alice.Shortcut(msg, ShortcutControl)
		v := w.alice.ExpectView("Live Chat Control")
		if ack := w.alice.Submit(v, map[string]any{blockAction: "End the live chat", blockReason: "resolved"}); len(ack.Errors()) > 0 {
			t.Fatalf("refused: %v", ack.Errors())
		}
		v.ExpectClosed()
		if got := w.tk.ticket("T1"); got.Status != tickets.StatusClosed || got.ClosedBy.ID != holder || got.CloseReason != "resolved" {
			t.Errorf("after the end T1 is %s, closed by %q for %q", got.Status, got.ClosedBy.ID, got.CloseReason)
		}
		ack := w.bob.Submit(late, map[string]any{blockAction: "Transfer to another team", blockTeam: "Support Team"})
		if why := ack.Errors()[blockAction]; why != "This live chat has ended already." {
			t.Errorf("errors = %v, want the ended chat named", ack.Errors())
		}
		w.bob.CloseView(late)
		w.alice.Shortcut(msg, ShortcutControl)
		w.alice.ExpectEphemeral("This live chat has ended.")
	})
}

// TestControlView_Statuses: Live Chat Control offers the statuses a ticket can go to from
// where it is, and the wake-up time only once someone has it.
func TestControlView_Statuses(t *testing.T) {
	st := &tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C1", Label: "Support"}}}
	for status, want := range map[tickets.Status][]string{
		tickets.StatusPending: {optTransfer, optEnd},
		tickets.StatusActive:  {optTransfer, optEnd, optWaiting, optHold},
		tickets.StatusWaiting: {optTransfer, optEnd, optHold, optActive},
		tickets.StatusOnHold:  {optTransfer, optEnd, optWaiting, optActive},
	} {
		v := controlView(&tickets.Ticket{ID: "1-0", Number: 1, Status: status, Team: st.TicketingChannels[0]}, st, false)
		var got []string
		wake := false
		for _, b := range v.Blocks.BlockSet {
			in, ok := b.(*slack.InputBlock)
			if !ok {
				continue
			}
			if in.BlockID == blockWake {
				wake = true
			}
			if rb, ok := in.Element.(*slack.RadioButtonsBlockElement); ok {
				for _, o := range rb.Options {
					got = append(got, o.Value)
				}
			}
		}
		if !slices.Equal(got, want) || wake != status.Picked() {
			t.Errorf("%s: options %v, wake-up %v; want %v, %v", status, got, wake, want, status.Picked())
		}
	}
}
