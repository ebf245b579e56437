package slacktest

import (
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestFollow_CallsFrom(t *testing.T) {
	sim := New(t)
	sim.DiscardUnexpected()
	ch := sim.AddChannel("tickets", false, sim.Bot())
	api := saAPI(sim)
	must2 := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must2(saPost(api, ch))
	_, err := api.AuthTest()
	must2(err)
	calls, next := sim.CallsFrom(0)
	if len(calls) != 2 || next != 2 || calls[0].Method != "chat.postMessage" || calls[1].Method != "auth.test" {
		t.Fatalf("CallsFrom(0) = %v, %d", calls, next)
	}
	calls[0].Params["text"] = "changed by the caller"
	if again, _ := sim.CallsFrom(0); again[0].Params["text"] != "hello" {
		t.Error("a caller's change to Params reached the record")
	}
	if calls, n := sim.CallsFrom(next); len(calls) != 0 || n != 2 {
		t.Errorf("nothing new: CallsFrom(2) = %v, %d", calls, n)
	}
	must2(saPost(api, ch))
	if calls, n := sim.CallsFrom(next); len(calls) != 1 || n != 3 || calls[0].Params["channel"] != ch.ID {
		t.Errorf("CallsFrom(2) = %v, %d", calls, n)
	}
	if calls, n := sim.CallsFrom(99); len(calls) != 0 || n != 3 {
		t.Errorf("CallsFrom past the end = %v, %d", calls, n)
	}
}

func TestFollow_MessagesAfter(t *testing.T) {
	sim := New(t)
	sim.DiscardUnexpected()
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat", false, sim.Bot(), alice)
	first := alice.Post(ch, "one")
	alice.Reply(first, "in the thread")
	alice.Post(ch, "two")
	all := ch.MessagesAfter("")
	if len(all) != 3 || all[0].Text() != "one" || all[1].Text() != "in the thread" || all[2].Text() != "two" {
		t.Fatalf("MessagesAfter(\"\") = %d messages", len(all))
	}
	if got := ch.MessagesAfter(all[0].TS); len(got) != 2 || got[0].TS != all[1].TS {
		t.Errorf("MessagesAfter(first) = %d messages", len(got))
	}
	if got := ch.MessagesAfter(all[2].TS); len(got) != 0 {
		t.Errorf("MessagesAfter(last) = %d messages", len(got))
	}
	if got := sim.Channel("chat").MessagesAfter("1.000000"); len(got) != 3 {
		t.Errorf("MessagesAfter(long ago) = %d messages", len(got))
	}
}

// DeliveriesFrom follows envelopes from queued to acked; TopView finds the modal an
// interaction opened without ExpectView.
func TestFollow_DeliveriesAndTopView(t *testing.T) {
	sim := New(t)
	sim.DiscardUnexpected()
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat", false, sim.Bot(), alice)
	queued := alice.Post(ch, "before the app connects")
	ds, next := sim.DeliveriesFrom(0)
	if len(ds) != 1 || next != 1 || !ds[0].Written.IsZero() || ds[0].Acked || ds[0].Type != "events_api" {
		t.Fatalf("before a connection: %+v, %d", ds, next)
	}
	if alice.TopView() != nil {
		t.Fatal("TopView before any modal is not nil")
	}
	saApp(t, sim, func(api *slack.Client, sm *socketmode.Client, e socketmode.Event) {
		_ = sm.Ack(*e.Request)
		if cb, ok := e.Data.(slack.InteractionCallback); ok && cb.Type == slack.InteractionTypeMessageAction {
			_, err := api.OpenView(cb.TriggerID, slack.ModalViewRequest{
				Type:  slack.VTModal,
				Title: slack.NewTextBlockObject("plain_text", "Control", false, false),
				Blocks: slack.Blocks{BlockSet: []slack.Block{
					slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "What now?", false, false), nil, nil),
				}},
			})
			if err != nil {
				t.Errorf("views.open: %v", err)
			}
		}
	})
	saEventually(t, "the queued envelope acked", func() bool {
		ds, _ := sim.DeliveriesFrom(0)
		return ds[0].Acked
	})
	if ds, _ := sim.DeliveriesFrom(0); ds[0].Written.IsZero() || ds[0].Latency <= 0 || ds[0].Dropped {
		t.Errorf("after the ack: %+v", ds[0])
	}
	ack := alice.Shortcut(queued, "control")
	saEventually(t, "the modal", func() bool { return alice.TopView() != nil })
	v := alice.TopView()
	if v.User.ID != alice.ID || v.ID == "" {
		t.Errorf("TopView = %+v", v)
	}
	ds, _ = sim.DeliveriesFrom(next)
	if len(ds) != 1 || ds[0].Type != "interactive" || !ds[0].Acked || ds[0].EnvelopeID != ack.EnvelopeID {
		t.Errorf("DeliveriesFrom(1) = %+v", ds)
	}
}

func TestFollow_Forget(t *testing.T) {
	sim := New(t) // strict: Forget drops the outputs no Expect* consumed
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("chat", false, sim.Bot(), alice)
	api := saAPI(sim)
	if err := saPost(api, ch); err != nil {
		t.Fatal(err)
	}
	saApp(t, sim, nil)
	alice.Post(ch, "acked soon")
	saEventually(t, "every envelope acked", func() bool {
		ds, _ := sim.DeliveriesFrom(0)
		for _, d := range ds {
			if !d.Acked {
				return false
			}
		}
		return len(ds) == 2
	})
	sim.Forget()
	if calls, next := sim.CallsFrom(0); len(calls) != 0 || next != 0 {
		t.Errorf("CallsFrom(0) after Forget = %v, %d", calls, next)
	}
	if ds, next := sim.DeliveriesFrom(0); len(ds) != 0 || next != 0 {
		t.Errorf("DeliveriesFrom(0) after Forget = %+v, %d", ds, next)
	}
	// The workspace stays: the messages are there, and new calls are recorded from 0.
	if n := len(ch.MessagesAfter("")); n != 2 {
		t.Errorf("%d messages after Forget, want 2", n)
	}
	if err := saPost(api, ch); err != nil {
		t.Fatal(err)
	}
	if calls, next := sim.CallsFrom(0); len(calls) != 1 || next != 1 {
		t.Errorf("CallsFrom(0) after a new call = %v, %d", calls, next)
	}
	ch.ExpectMessage("hello")
	saEventually(t, "the new envelope acked", func() bool {
		ds, _ := sim.DeliveriesFrom(0)
		return len(ds) == 1 && ds[0].Acked
	})
}
