package chatra

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/frontdeskhq/frontdesk/connectors/chatra/chatratest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// agentReply is what the ticket service gives the Client for a Slack agent's reply.
func agentReply(text string) tickets.Outbound {
	m := &tickets.Message{ID: "m1", Direction: tickets.FromAgent, Text: text,
		Author: tickets.Agent{ID: "U0ALICE", Name: "Alice Martin", Email: "alice@acme-bikes.example"}}
	return tickets.Outbound{Kind: tickets.OutMessage, Text: text, Message: m, At: time.Now()}
}

// TestClient_NotesSentIDs: the id Chatra answers with is noted in Sent, for every part
// of a split message and for notices too, for as long as the store keeps message ids.
func TestClient_NotesSentIDs(t *testing.T) {
	seen := newFakeSeen()
	c, f := setup(t, ClientConfig{Sent: seen})
	ctx := context.Background()
	if err := c.Deliver(ctx, testTicket(), agentReply("It left today with DHL."), "T135/m1"); err != nil {
		t.Fatal(err)
	}
	long := tickets.Outbound{Kind: tickets.OutMessage, Text: words(maxTextChars + 10),
		Message: &tickets.Message{ID: "m2", Text: "x"}, At: time.Now()}
	if err := c.Deliver(ctx, testTicket(), long, "T135/m2"); err != nil {
		t.Fatal(err)
	}
	ended := tickets.Outbound{Kind: tickets.OutEnded, Text: "This chat has ended.", At: time.Now()}
	if err := c.Deliver(ctx, testTicket(), ended, "T135/ended"); err != nil {
		t.Fatal(err)
	}
	ids := f.IDs()
	if len(ids) != 4 {
		t.Fatalf("Chatra took %d messages, want 4 (one, two parts, the notice)", len(ids))
	}
	for _, id := range ids {
		if ttl, ok := seen.has(sentScope, id); !ok || ttl != sentFor {
			t.Errorf("id %s: noted %v for %s, want noted for %s", id, ok, ttl, sentFor)
		}
	}

	t.Run("WithoutSent", func(t *testing.T) {
		c, f := setup(t, ClientConfig{})
		if err := c.Deliver(ctx, testTicket(), agentReply("hello"), "T135/m1"); err != nil || len(f.Requests()) != 1 {
			t.Errorf("Deliver without Sent: %v, %d requests", err, len(f.Requests()))
		}
	})
	t.Run("SentFails", func(t *testing.T) {
		// The message went through: the outbox must not send it again. A warning says
		// its echo may show.
		core, logs := observer.New(zap.InfoLevel)
		seen := newFakeSeen()
		seen.fail = errors.New("store: seen chatra-sent: i/o timeout")
		c, f := setup(t, ClientConfig{Sent: seen})
		c.log = zap.New(core)
		if err := c.Deliver(ctx, testTicket(), agentReply("secret plan"), "T135/m1"); err != nil {
			t.Fatalf("Deliver = %v, want nil: Chatra took the message", err)
		}
		if len(f.Requests()) != 1 {
			t.Errorf("%d requests, want 1", len(f.Requests()))
		}
		if logs.FilterMessageSnippet("was not noted").FilterLevelExact(zap.WarnLevel).Len() != 1 {
			t.Errorf("no warning: %v", logs.All())
		}
		for _, e := range logs.All() {
			if strings.Contains(e.Message+fmt.Sprint(e.ContextMap()), "secret plan") {
				t.Errorf("the message's text was logged: %v", e)
			}
		}
	})
	t.Run("AnswerWithoutID", func(t *testing.T) {
		core, logs := observer.New(zap.InfoLevel)
		seen := newFakeSeen()
		c, f := setup(t, ClientConfig{Sent: seen})
		c.log = zap.New(core)
		f.SetAnswer(func(chatratest.Message) string { return `{}` })
		for i := 0; i < 2; i++ {
			if err := c.Deliver(ctx, testTicket(), agentReply("hello"), "T135/m1"); err != nil {
				t.Fatal(err)
			}
		}
		if seen.count() != 0 {
			t.Errorf("%d ids noted, want none", seen.count())
		}
		if n := logs.FilterMessageSnippet("named no message id").Len(); n != 1 {
			t.Errorf("said %d times that the answer had no id, want once", n)
		}
	})
	t.Run("ErrorAnswerNotNoted", func(t *testing.T) {
		seen := newFakeSeen()
		c, f := setup(t, ClientConfig{Sent: seen})
		f.FailNext(chatratest.Failure{Status: http.StatusServiceUnavailable})
		if err := c.Deliver(ctx, testTicket(), agentReply("hello"), "T135/m1"); err == nil {
			t.Fatal("Deliver of a 503 succeeded")
		}
		if seen.count() != 0 {
			t.Errorf("an error answer noted %d ids", seen.count())
		}
	})
}

// TestSentID: the id in Chatra's answer to POST /messages/, read leniently where the
// docs are silent (the documented shape is in examples_test.go).
func TestSentID(t *testing.T) {
	tests := []struct{ name, answer, want string }{
		{"Message", `{"id":"Mq000000000000001","type":"agent","text":"hi","clientId":"c"}`, "Mq000000000000001"},
		{"NumericID", `{"id":1763661902000123}`, "1763661902000123"},
		{"UnderscoreID", `{"_id":"Rb5nW9xKd3PqTm7Yz"}`, "Rb5nW9xKd3PqTm7Yz"},
		{"MessageID", `{"messageId":"Rb5nW9xKd3PqTm7Yz"}`, "Rb5nW9xKd3PqTm7Yz"},
		{"Wrapped", `{"message":{"id":"Rb5nW9xKd3PqTm7Yz"}}`, "Rb5nW9xKd3PqTm7Yz"},
		{"Data", `{"ok":true,"data":{"id":42}}`, "42"},
		{"Spaces", `{"id":"  Rb5n  "}`, "Rb5n"},
		{"Empty", ``, ""},
		{"NotJSON", `OK`, ""},
		{"Array", `[{"id":"x"}]`, ""},
		{"NoID", `{"type":"agent"}`, ""},
		{"ObjectID", `{"id":{"$oid":"x"}}`, ""},
		{"Null", `{"id":null}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentID([]byte(tt.answer)); got != tt.want {
				t.Errorf("sentID(%s) = %q, want %q", tt.answer, got, tt.want)
			}
		})
	}
}

// replica is one Frontdesk process as far as Chatra goes: its Client and its Handler,
// sharing seen with every other replica (the store, in Redis).
type replica struct {
	c *Client
	h http.Handler
}

func newReplica(t *testing.T, f *chatratest.Server, tk *testTickets, seen Seen) replica {
	t.Helper()
	c, err := NewClient(ClientConfig{APIURL: f.APIURL(), PublicKey: testPublic, SecretKey: testSecret,
		TeamEmail: teamEmail, Sent: seen}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return replica{c: c, h: newTestHandler(t, tk, HandlerConfig{Sent: seen})}
}

// sourceAgentTexts returns the texts of the conversation's messages Chatra's agents wrote.
func sourceAgentTexts(tk *testTickets, conv string) []string {
	var out []string
	for _, m := range tk.transcript(conv) {
		if m.Direction == tickets.FromSourceAgent {
			out = append(out, m.Text)
		}
	}
	return out
}

// TestHandler_EchoByID: Chatra's echo of a reply Frontdesk sent is not relayed, even
// without receivedFrom, on another replica than the one that sent it; a Chatra agent's
// own message still is, once.
func TestHandler_EchoByID(t *testing.T) {
	ctx := context.Background()
	chatra := newFakeChatra(t)
	tk := newTickets(t)
	seen := newFakeSeen()
	a, b := newReplica(t, chatra, tk, seen), newReplica(t, chatra, tk, seen)
	post(t, b.h, testdata(t, "chat_started.json"))
	tkt := &tickets.Ticket{ID: "T1", Number: 1, Source: Source, ConversationID: lena}
	if err := a.c.Deliver(ctx, tkt, agentReply("It left today with DHL."), "T1/m1"); err != nil {
		t.Fatal(err)
	}

	// Replica b takes the echo, without receivedFrom: it is ours by its id.
	if res := post(t, b.h, chatra.Echo(0, false)); res.Added != 0 {
		t.Errorf("the echo without receivedFrom: %+v, want nothing added", res)
	}
	// With receivedFrom too (and on replica a).
	if res := post(t, a.h, chatra.Echo(0, true)); res.Added != 0 {
		t.Errorf("the echo with receivedFrom: %+v, want nothing added", res)
	}
	// A colleague answers in Chatra's app: relayed, once, though Chatra sends it again.
	colleague := `{"eventName":"chatFragment","client":{"id":"` + lena + `"},"agents":[{"id":"Jw6nTb4KpY8sVe1Lr","name":"Jonas Weber"}],
		"messages":[{"id":"Gx2cV7mLq4HsNd9Bw","type":"agent","agentId":"Jw6nTb4KpY8sVe1Lr","text":"Tracking: 00340434161094042557","createdAt":1763661960000}]}`
	if res := post(t, a.h, colleague); res.Added != 1 {
		t.Errorf("a Chatra agent's message: %+v, want 1 added", res)
	}
	if res := post(t, b.h, colleague); res.Added != 0 {
		t.Errorf("the same again: %+v, want nothing added", res)
	}
	// The transcript holds both, without markers: still only the colleague's message.
	transcript := edited(t, "chat_transcript.json", map[string]any{"messages": []any{
		map[string]any{"id": chatra.IDs()[0], "type": "agent", "text": "It left today with DHL.", "createdAt": chatratest.CreatedAt(1)},
		map[string]any{"id": "Gx2cV7mLq4HsNd9Bw", "type": "agent", "text": "Tracking: 00340434161094042557", "createdAt": 1763661960000},
		map[string]any{"id": "Ck4wN8pTz2LxRm6Qv", "type": "client", "text": "Bye!", "createdAt": 1763662011000},
	}})
	if res := post(t, a.h, transcript); res != (result{Ticket: 1, Added: 1, Closed: true}) {
		t.Errorf("transcript: %+v, want the visitor's Bye added and the ticket closed", res)
	}
	if got, want := sourceAgentTexts(tk, lena), []string{"Tracking: 00340434161094042557"}; !reflect.DeepEqual(got, want) {
		t.Errorf("relayed from Chatra's agents: %q, want %q", got, want)
	}

	t.Run("WithoutSent", func(t *testing.T) {
		// Today's behaviour without the shared memory: receivedFrom is the only signal.
		chatra, tk := newFakeChatra(t), newTickets(t)
		c, h := newReplica(t, chatra, tk, nil).c, newTestHandler(t, tk, HandlerConfig{})
		post(t, h, testdata(t, "chat_started.json"))
		if err := c.Deliver(ctx, tkt, agentReply("It left today with DHL."), "T1/m1"); err != nil {
			t.Fatal(err)
		}
		post(t, h, chatra.Echo(0, true))
		if got := sourceAgentTexts(tk, lena); got != nil {
			t.Errorf("a marked echo was relayed: %q", got)
		}
		post(t, h, chatra.Echo(0, false))
		if got := sourceAgentTexts(tk, lena); len(got) != 1 {
			t.Errorf("without Sent an unmarked echo cannot be told: relayed %q, want it once", got)
		}
	})
	t.Run("EchoBeforeAnswer", func(t *testing.T) {
		// Chatra's webhook comes before its answer to the POST: the echo is taken for a
		// Chatra agent's message (nothing tells it apart yet); asking about the id did not
		// record it, so the Client then notes it as its own.
		core, logs := observer.New(zap.InfoLevel)
		tk, seen := newTickets(t), newFakeSeen()
		h := newTestHandler(t, tk, HandlerConfig{Sent: seen})
		post(t, h, testdata(t, "chat_started.json"))
		early := `{"eventName":"chatFragment","client":{"id":"` + lena + `"},"messages":[{"id":"Mq000000000000001","type":"agent","text":"It left today with DHL."}]}`
		if res := post(t, h, early); res.Added != 1 {
			t.Errorf("early echo: %+v", res)
		}
		c, _ := setup(t, ClientConfig{Sent: seen})
		c.log = zap.New(core)
		if err := c.Deliver(ctx, tkt, agentReply("It left today with DHL."), "T1/m1"); err != nil {
			t.Fatal(err)
		}
		if logs.FilterMessageSnippet("already known").Len() != 0 {
			t.Errorf("asking about an id recorded it: %v", logs.All())
		}
		if _, ok := seen.has(sentScope, sentKey("Mq000000000000001")); !ok {
			t.Error("the Client did not note the id Chatra answered with")
		}
	})
	t.Run("SentFails", func(t *testing.T) {
		// Whether an agent message is ours cannot be told: the webhook fails (500), so
		// that Chatra may send it again, and nothing is relayed.
		tk, seen := newTickets(t), newFakeSeen()
		h := newTestHandler(t, tk, HandlerConfig{Sent: seen})
		post(t, h, testdata(t, "chat_started.json"))
		seen.fail = errors.New("store: seen chatra-sent: connection refused")
		if w := serve(h, newRequest(colleague)); w.Code != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", w.Code)
		}
		if got := sourceAgentTexts(tk, lena); got != nil {
			t.Errorf("relayed %q", got)
		}
		seen.fail = nil
		if res := post(t, h, colleague); res.Added != 1 {
			t.Errorf("sent again: %+v, want 1 added", res)
		}
	})
	t.Run("AskedOnlyAboutAgentMessagesWithIDs", func(t *testing.T) {
		tk, seen := newTickets(t), newFakeSeen()
		h := newTestHandler(t, tk, HandlerConfig{Sent: seen})
		post(t, h, testdata(t, "chat_started.json"))       // visitors' messages
		post(t, h, testdata(t, "chat_started_text.json"))  // no ids
		post(t, h, testdata(t, "chat_fragment_text.json")) // an agent message without an id
		if seen.count() != 0 {
			t.Errorf("Seen asked %d times, want 0", seen.count())
		}
		post(t, h, testdata(t, "chat_fragment.json")) // one marked echo, one Chatra agent's message
		if seen.count() != 1 {
			t.Errorf("Seen asked %d times, want 1 (the unmarked agent message)", seen.count())
		}
	})
}
