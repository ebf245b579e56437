package gladly

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// fakeTranscript is Frontdesk's store as the hand-off note reads it.
type fakeTranscript struct {
	mu    sync.Mutex
	msgs  []tickets.Message
	intro tickets.Card
	err   error
}

func (f *fakeTranscript) Messages(context.Context, tickets.ID) ([]tickets.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tickets.Message(nil), f.msgs...), f.err
}

func (f *fakeTranscript) CardOf(_ context.Context, _ tickets.ID, event string) (tickets.Card, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if event != tickets.IntroCard || f.intro.IsZero() {
		return tickets.Card{}, tickets.ErrNotFound
	}
	return f.intro, f.err
}

// permalinks is Slack's chat.getPermalink (bot.Desk.Permalink), failing with err when set.
type permalinks struct {
	asked []string
	err   error
}

func (p *permalinks) link(_ context.Context, channel, ts string) (string, error) {
	p.asked = append(p.asked, channel+"/"+ts)
	if p.err != nil {
		return "", p.err
	}
	return "https://acme.slack.com/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", ""), nil
}

// handedOff is a ticket an agent handed off from its inbox channel.
func handedOff() *tickets.Ticket {
	t := testTicket()
	t.Inbox, t.Status = "C0INBOX135", tickets.StatusClosed
	t.Card = tickets.Card{Channel: "C0SUPPORT", TS: "1763716443.000100"}
	t.ClosedBy, t.HandedBack = tickets.Agent{ID: "U0ALICE", Name: "Alice Martin"}, true
	t.CloseReason = "handed back to gladly: refunds are theirs"
	return t
}

// discussion is a chat's transcript: what the customer and the agent said (never in the
// note) and two internal notes, one with Slack markup and one with a file.
func discussion() []tickets.Message {
	at := time.Date(2026, 11, 21, 9, 20, 0, 0, time.UTC)
	bob := tickets.Agent{ID: "U0BOB", Name: "Bob"}
	return []tickets.Message{
		{Direction: tickets.FromCustomer, Text: "My refund never came", At: at},
		{Direction: tickets.FromAgent, Author: tickets.Agent{ID: "U0ALICE", Name: "Alice Martin"}, Text: "Let me check", At: at.Add(time.Minute)},
		{Direction: tickets.Internal, Author: bob, At: at.Add(2 * time.Minute),
			Text: "Refund of <https://shop.acme.example/orders/A-3301|order A-3301> failed &amp; bounced, <@U0ALICE>\nsee <#C0BILLING|billing> &lt;b&gt;not bold&lt;/b&gt;"},
		{Direction: tickets.Internal, Author: tickets.Agent{ID: "U0DAN"}, At: at.Add(3 * time.Minute),
			Attachments: []tickets.Attachment{{URL: "https://desk.example.com/files/Rjk.sig", Name: "bank-statement.pdf"}, {URL: "javascript:alert(1)", Name: "odd"}}},
	}
}

// setupNotes returns a Client that adds hand-off notes, with its transcript and Slack.
func setupNotes(t *testing.T) (*Client, *gladlytest.Server, *fakeTranscript, *permalinks) {
	t.Helper()
	tr := &fakeTranscript{msgs: discussion(), intro: tickets.Card{Channel: "C0INBOX135", TS: "1763716500.000200"}}
	pl := &permalinks{}
	c, f := setup(t, func(o *options) { o.transcript, o.permalink = tr, pl.link })
	return c, f, tr, pl
}

var handOffBody = `{"assignee":{"inboxId":"` + handoffInbox + `","agentId":null},"status":{"value":"OPEN","force":true}}`

// TestClient_HandOffAddsNote: the hand-off moves the conversation first, then adds one
// note with the Slack discussion, in the shape of Gladly's documented example
// (testdata/note_add_request.json) and with the body of testdata/handoff_note.golden.html.
func TestClient_HandOffAddsNote(t *testing.T) {
	c, f, _, pl := setupNotes(t)
	if err := c.Deliver(context.Background(), handedOff(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-h1"); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[0].String() != "PATCH /conversations/"+convID || calls[1].String() != "POST /conversations/"+convID+"/notes" {
		t.Fatalf("calls = %v", f.Called())
	}
	assertJSON(t, []byte(calls[0].Body), handOffBody)
	// The request is Gladly's example with our body in place of the example's.
	var sent struct {
		Content struct {
			Body string `json:"body"`
		} `json:"content"`
	}
	if err := json.Unmarshal([]byte(calls[1].Body), &sent); err != nil {
		t.Fatal(err)
	}
	example := testdata(t, "note_add_request.json")
	var doc struct {
		Content struct {
			Body string `json:"body"`
		} `json:"content"`
	}
	if err := json.Unmarshal([]byte(example), &doc); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, []byte(strings.Replace(calls[1].Body, jsonText(t, sent.Content.Body), jsonText(t, doc.Content.Body), 1)), example)
	golden(t, "handoff_note.golden.html", sent.Content.Body)
	if len(pl.asked) != 1 || pl.asked[0] != "C0INBOX135/1763716500.000200" {
		t.Errorf("permalinks asked for %v, want the inbox channel's first message", pl.asked)
	}
	for _, never := range []string{"My refund never came", "Let me check", "javascript:", "<b>not bold</b>"} {
		if strings.Contains(sent.Content.Body, never) {
			t.Errorf("the note holds %q", never)
		}
	}
	if !strings.Contains(sent.Content.Body, "&lt;b&gt;not bold&lt;/b&gt;") {
		t.Error("the note does not escape what agents wrote")
	}
	if notes := f.Notes(convID); len(notes) != 1 {
		t.Errorf("Gladly holds %d notes", len(notes))
	}
}

// jsonText is s as a JSON string, without its quotes.
func jsonText(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[1 : len(b)-1])
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile("testdata/"+name, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := strings.TrimSuffix(testdata(t, name), "\n"); got != want {
		t.Errorf("%s differs:\n got %s\nwant %s", name, got, want)
	}
}

// TestClient_HandOffNoteUnpicked: a ticket no one picked (GLADLY_SLA) has no inbox
// channel: the note links its card, says Frontdesk handed it off, and that no one wrote.
func TestClient_HandOffNoteUnpicked(t *testing.T) {
	c, f, tr, pl := setupNotes(t)
	tr.msgs, tr.intro = discussion()[:1], tickets.Card{}
	tk := handedOff()
	tk.Inbox, tk.ClosedBy, tk.CloseReason = "", tickets.Agent{}, "no one picked it within 10m0s: handed back to gladly"
	if err := c.Deliver(context.Background(), tk, tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-h2"); err != nil {
		t.Fatal(err)
	}
	notes := f.Notes(convID)
	if len(notes) != 1 {
		t.Fatalf("notes = %v", notes)
	}
	for _, want := range []string{"by Frontdesk", "no one picked it within 10m0s", `<a href="https://acme.slack.com/archives/C0SUPPORT/p1763716443000100">the ticket in Slack</a>`,
		"No internal notes were written in Slack."} {
		if !strings.Contains(notes[0], want) {
			t.Errorf("note %s lacks %q", notes[0], want)
		}
	}
	if len(pl.asked) != 1 || pl.asked[0] != "C0SUPPORT/1763716443.000100" {
		t.Errorf("permalinks asked for %v, want the card", pl.asked)
	}
}

// TestClient_HandOffNoteRetried: a note Gladly does not take for a while is retried
// alone: the conversation is not moved twice.
func TestClient_HandOffNoteRetried(t *testing.T) {
	c, f, _, _ := setupNotes(t)
	f.FailNext(gladlytest.Failure{On: "POST /conversations/" + convID + "/notes", Status: http.StatusServiceUnavailable})
	out := tickets.Outbound{Kind: tickets.OutHandedBack, At: time.Now()}
	err := c.Deliver(context.Background(), handedOff(), out, "ev-h3")
	if err == nil || tickets.IsPermanent(err) {
		t.Fatalf("Deliver = %v, want a transient error", err)
	}
	f.Reset()
	if err := c.Deliver(context.Background(), handedOff(), out, "ev-h3"); err != nil {
		t.Fatal(err)
	}
	if got := f.Called(); len(got) != 1 || got[0] != "POST /conversations/"+convID+"/notes" {
		t.Errorf("retry calls = %v, want the note only", got)
	}
}

// TestClient_HandOffNoteRefused: a note Gladly refuses is an error Slack shows, naming
// the note; the hand-off itself went through.
func TestClient_HandOffNoteRefused(t *testing.T) {
	c, f, _, _ := setupNotes(t)
	f.FailNext(gladlytest.Failure{On: "POST /conversations/", Status: http.StatusBadRequest,
		Body: `{"errors":[{"attr":"content.body","code":"too_long","detail":"body is too long"}]}`})
	err := c.Deliver(context.Background(), handedOff(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-h4")
	if !tickets.IsPermanent(err) || !strings.Contains(err.Error(), "adding the Slack discussion as a note answered 400") ||
		!strings.Contains(err.Error(), "too_long") {
		t.Errorf("Deliver = %v", err)
	}
	if in := f.Conversation(convID)["inboxId"]; in != handoffInbox {
		t.Errorf("the conversation is in %v", in)
	}
}

// TestClient_HandOffNoteSlackOrStoreAway: Frontdesk's store or Slack away for a while is
// retried; a link Slack refuses for good is left out of the note.
func TestClient_HandOffNoteSlackOrStoreAway(t *testing.T) {
	c, f, tr, pl := setupNotes(t)
	tr.err = errors.New("redis: i/o timeout")
	if err := c.Deliver(context.Background(), handedOff(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-h5"); err == nil || tickets.IsPermanent(err) {
		t.Fatalf("store away: %v", err)
	}
	tr.err, pl.err = nil, errors.New("slack: timeout")
	if err := c.Deliver(context.Background(), handedOff(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-h5"); err == nil || tickets.IsPermanent(err) {
		t.Fatalf("Slack away: %v", err)
	}
	pl.err = tickets.Permanent(errors.New("chat.getPermalink: channel_not_found"))
	if err := c.Deliver(context.Background(), handedOff(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-h5"); err != nil {
		t.Fatal(err)
	}
	notes := f.Notes(convID)
	if len(notes) != 1 || strings.Contains(notes[0], "Slack discussion") || !strings.Contains(notes[0], "Bob") {
		t.Errorf("notes = %v", notes)
	}
}

// TestNoteBody_Long: many long notes keep the note under maxNoteChars, with the latest
// notes and a word on those left out.
func TestNoteBody_Long(t *testing.T) {
	var msgs []tickets.Message
	for i := range 40 {
		msgs = append(msgs, tickets.Message{Direction: tickets.Internal, Author: tickets.Agent{Name: "Bob"},
			Text: strings.Repeat("é", 3000) + string(rune('A'+i%26))})
	}
	body := noteBody(handedOff(), "https://acme.slack.com/archives/C0INBOX135/p1", msgs)
	if n := utf8.RuneCountInString(body); n > maxNoteChars {
		t.Errorf("note of %d characters", n)
	}
	if !strings.Contains(body, "(40)") || !strings.Contains(body, "earlier notes are left out: see Slack") ||
		!strings.Contains(body, "Slack discussion") || strings.Count(body, "<p><b>Bob</b>") < 4 {
		t.Errorf("note = %.300s…", body)
	}
}

// TestClient_NoTranscriptNoNote: without a Transcript the hand-off is the PATCH alone.
func TestClient_NoTranscriptNoNote(t *testing.T) {
	c, f := setup(t, nil)
	if err := c.Deliver(context.Background(), handedOff(), tickets.Outbound{Kind: tickets.OutHandedBack}, "ev-h6"); err != nil {
		t.Fatal(err)
	}
	assertCalls(t, f, wantCall{http.MethodPatch, "/conversations/" + convID, handOffBody})
}
