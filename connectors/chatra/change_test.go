package chatra

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/chatra/chatratest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// change is the outbound of an agent's change of message m1 (OutEdited with text, or
// OutDeleted when text is "").
func change(text string) tickets.Outbound {
	m := &tickets.Message{ID: "m1", Direction: tickets.FromAgent, Text: text, Deleted: text == ""}
	out := tickets.Outbound{Kind: tickets.OutEdited, Text: text, Message: m, At: time.Now()}
	if text == "" {
		out.Kind = tickets.OutDeleted
	}
	return out
}

// TestClient_Changes: an agent's edit changes the message in Chatra in place (PUT
// messages/{id} with the new text), a deletion removes it (DELETE), a repeat of either
// changes nothing more, and a text that needs more or fewer messages than before sends
// or deletes the difference.
func TestClient_Changes(t *testing.T) {
	ctx := context.Background()
	c, f := setup(t, ClientConfig{Sent: newFakeSeen(), Notes: newFakeNotes()})
	if !c.ChangesMessages() {
		t.Fatal("a Client with Notes does not change messages")
	}
	if err := c.Deliver(ctx, testTicket(), agentReply("It left today with DHL."), "T135/m1"); err != nil {
		t.Fatal(err)
	}
	id := f.IDs()[0]
	for range 2 { // the second time is an outbox retry
		if err := c.Deliver(ctx, testTicket(), change("It left today with UPS."), "T135/m1/ev2"); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := f.Message(id)
	if m.Text != "It left today with UPS." || m.Edits != 2 || len(f.IDs()) != 1 {
		t.Fatalf("after the edit: %+v, %d messages", m, len(f.IDs()))
	}
	last := f.Requests()[len(f.Requests())-1]
	if last.Method != http.MethodPut || !strings.HasSuffix(last.Path, "/messages/"+id) || string(last.Body) != `{"text":"It left today with UPS."}` {
		t.Fatalf("edit request %s %s %s", last.Method, last.Path, last.Body)
	}

	// Longer than one message: the first part changes, the rest is sent anew; shorter
	// again: the extra one goes.
	long := words(maxTextChars + 100)
	if err := c.Deliver(ctx, testTicket(), change(long), "T135/m1/ev3"); err != nil {
		t.Fatal(err)
	}
	ids := f.IDs()
	if len(ids) != 2 {
		t.Fatalf("%d messages, want 2", len(ids))
	}
	first, _ := f.Message(ids[0])
	second, _ := f.Message(ids[1])
	if first.Text+second.Text != long {
		t.Fatal("the long edit is not the two messages' text")
	}
	if err := c.Deliver(ctx, testTicket(), change("Short again."), "T135/m1/ev4"); err != nil {
		t.Fatal(err)
	}
	if second, _ = f.Message(ids[1]); !second.Deleted {
		t.Error("the part no longer needed is still in Chatra")
	}
	// Long once more: the deleted part is sent anew, not edited.
	if err := c.Deliver(ctx, testTicket(), change(long), "T135/m1/ev5"); err != nil {
		t.Fatal(err)
	}
	if ids = f.IDs(); len(ids) != 3 {
		t.Fatalf("%d messages, want 3 (the second part anew)", len(ids))
	}

	// Deleted: every part goes; a repeat finds nothing left to do.
	for range 2 {
		if err := c.Deliver(ctx, testTicket(), change(""), "T135/m1/ev6"); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{ids[0], ids[2]} {
		if m, _ := f.Message(id); !m.Deleted {
			t.Errorf("message %s is still in Chatra", id)
		}
	}
	if s := f.Strays(); len(s) > 0 {
		t.Errorf("strays: %q", s)
	}
}

// TestClient_ChangesRefused: what cannot change the visitor's message fails for good
// (the agent is told), what may pass is retried.
func TestClient_ChangesRefused(t *testing.T) {
	ctx := context.Background()
	t.Run("IdsNotKept", func(t *testing.T) {
		c, _ := setup(t, ClientConfig{})
		if c.ChangesMessages() {
			t.Error("a Client without Notes says it changes messages")
		}
		if err := c.Deliver(ctx, testTicket(), change("x"), "k"); !tickets.IsPermanent(err) {
			t.Errorf("= %v, want permanent", err)
		}
	})
	t.Run("UnknownMessage", func(t *testing.T) {
		c, f := setup(t, ClientConfig{Notes: newFakeNotes()})
		if err := c.Deliver(ctx, testTicket(), change("x"), "k"); !tickets.IsPermanent(err) || !errors.Is(err, errNotChanged) {
			t.Errorf("= %v, want permanent: the id is not known", err)
		}
		if len(f.Requests()) != 0 {
			t.Error("asked Chatra about a message it does not know")
		}
	})
	t.Run("NoIDInAnswer", func(t *testing.T) {
		c, f := setup(t, ClientConfig{Notes: newFakeNotes()})
		f.SetAnswer(func(chatratest.Message) string { return `{}` })
		if err := c.Deliver(ctx, testTicket(), agentReply("hi"), "k1"); err != nil {
			t.Fatal(err)
		}
		if err := c.Deliver(ctx, testTicket(), change("hello"), "k2"); !tickets.IsPermanent(err) {
			t.Errorf("= %v, want permanent", err)
		}
	})
	t.Run("GoneInChatra", func(t *testing.T) {
		notes := newFakeNotes()
		c, f := setup(t, ClientConfig{Notes: notes})
		if err := c.Deliver(ctx, testTicket(), agentReply("hi"), "k1"); err != nil {
			t.Fatal(err)
		}
		// Someone deleted it in Chatra's own app: the edit cannot land; the deletion is done.
		if _, err := http.DefaultClient.Do(mustRequest(t, http.MethodDelete, f.APIURL()+"messages/"+f.IDs()[0])); err != nil {
			t.Fatal(err)
		}
		if err := c.Deliver(ctx, testTicket(), change("hello"), "k2"); !tickets.IsPermanent(err) {
			t.Errorf("edit = %v, want permanent", err)
		}
		if err := c.Deliver(ctx, testTicket(), change(""), "k3"); err != nil {
			t.Errorf("deletion = %v, want done", err)
		}
	})
	t.Run("ChatraDown", func(t *testing.T) {
		c, f := setup(t, ClientConfig{Notes: newFakeNotes()})
		if err := c.Deliver(ctx, testTicket(), agentReply("hi"), "k1"); err != nil {
			t.Fatal(err)
		}
		f.FailNext(chatratest.Failure{Status: 503})
		if err := c.Deliver(ctx, testTicket(), change("hello"), "k2"); err == nil || tickets.IsPermanent(err) {
			t.Errorf("= %v, want a retry", err)
		}
		f.FailNext(chatratest.Failure{Status: 429, RetryAfter: "7"})
		var ra *tickets.RetryAfterError
		if err := c.Deliver(ctx, testTicket(), change(""), "k3"); !errors.As(err, &ra) || ra.After != 7*time.Second {
			t.Errorf("= %v, want retry after 7s", err)
		}
	})
	t.Run("NotesDown", func(t *testing.T) {
		notes := newFakeNotes()
		c, _ := setup(t, ClientConfig{Notes: notes})
		notes.fail = errors.New("store: noted chatra-parts: i/o timeout")
		if err := c.Deliver(ctx, testTicket(), change("hello"), "k2"); err == nil || tickets.IsPermanent(err) {
			t.Errorf("= %v, want a retry", err)
		}
	})
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Chatra.Simple "+testPublic+":"+testSecret)
	req.Header.Set("User-Agent", userAgent)
	return req
}
