package chatra

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/chatra/chatratest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Chatra's documented examples, run through the real decoders and the Handler; what
// Frontdesk does with each is written out in full (the golden answer). Each example holds
// only fields a source names, and the source is beside it. chatratest's package comment
// quotes what each source says. Values (ids, texts, times) are ours; the shapes are
// Chatra's.

// docAnswer is Chatra's answer to POST /api/messages/: "the new message with its id"
// (https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_send_message), a
// message being its type, text, clientId, agentId, time in ms and receivedFrom
// (https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_get_message); the
// time under createdAt, as in Chatra's webhooks (connectors.md, Corrections).
const docAnswer = `{
  "id": "Rb5nW9xKd3PqTm7Yz",
  "type": "agent",
  "text": "Hi Lena, it left today with DHL.",
  "clientId": "Z6xWqgJ8hT3pNcK2r",
  "agentId": "Fd3kRw8ZtQ5mNb2Xc",
  "createdAt": 1763661902000,
  "receivedFrom": "frontdesk"
}`

// docFragment is a chatFragment webhook: eventName, client.id, client.chatId,
// client.displayedName, agents[].id and messages[].type/text as working consumers read
// them (https://github.com/belya/support20/blob/6fc4c7deae3f9c07f0adcaabaed5ec273227a96e/spec/controllers/chatra_controller_spec.rb;
// connectors.md §2.3), each message with its id, text and createdAt in ms (connectors.md,
// Corrections). Its first message is Chatra's echo of docAnswer, without receivedFrom
// (whether Chatra echoes it is not confirmed); the last is one a Chatra agent wrote.
const docFragment = `{
  "eventName": "chatFragment",
  "client": {"id": "Z6xWqgJ8hT3pNcK2r", "chatId": "pQ4nYb7RkA2sLm9Ve", "displayedName": "Lena Fischer"},
  "agents": [{"id": "Fd3kRw8ZtQ5mNb2Xc"}, {"id": "Jw6nTb4KpY8sVe1Lr"}],
  "messages": [
    {"id": "Rb5nW9xKd3PqTm7Yz", "type": "agent", "text": "Hi Lena, it left today with DHL.", "createdAt": 1763661902000},
    {"id": "Pz8tY3rMw6KcQv1Ns", "type": "client", "text": "Great, thanks! Tracking number?", "createdAt": 1763661975000},
    {"id": "Gx2cV7mLq4HsNd9Bw", "type": "agent", "text": "00340434161094042557", "createdAt": 1763661990000}
  ]
}`

// docTranscript is the chatTranscript sent when the chat is over, holding the whole chat
// in the same shape (the event's name: connectors.md §2.3, several working consumers).
const docTranscript = `{
  "eventName": "chatTranscript",
  "client": {"id": "Z6xWqgJ8hT3pNcK2r", "chatId": "pQ4nYb7RkA2sLm9Ve", "displayedName": "Lena Fischer"},
  "agents": [{"id": "Fd3kRw8ZtQ5mNb2Xc"}, {"id": "Jw6nTb4KpY8sVe1Lr"}],
  "messages": [
    {"id": "Wm3kP8qRt2ZxYb6Ne", "type": "client", "text": "Where is my order A-55190?", "createdAt": 1763661851000},
    {"id": "Rb5nW9xKd3PqTm7Yz", "type": "agent", "text": "Hi Lena, it left today with DHL.", "createdAt": 1763661902000},
    {"id": "Pz8tY3rMw6KcQv1Ns", "type": "client", "text": "Great, thanks! Tracking number?", "createdAt": 1763661975000},
    {"id": "Gx2cV7mLq4HsNd9Bw", "type": "agent", "text": "00340434161094042557", "createdAt": 1763661990000},
    {"id": "Ck4wN8pTz2LxRm6Qv", "type": "client", "text": "Bye!", "createdAt": 1763662011000}
  ]
}`

// docSpec is the body a working consumer's spec posts: agents[].id, client.id,
// client.chatId and messages[].type/text, with no message ids or times
// (https://github.com/belya/support20/blob/6fc4c7deae3f9c07f0adcaabaed5ec273227a96e/spec/controllers/chatra_controller_spec.rb),
// plus the eventName other consumers switch on (connectors.md §2.3).
const docSpec = `{
  "eventName": "chatStarted",
  "agents": [{"id": "Jw6nTb4KpY8sVe1Lr"}],
  "client": {"id": "Yh2mQx7VbK4nRt9Ld", "chatId": "Vn5rK2wPq8ZtXc3Mb"},
  "messages": [{"type": "client", "text": "Did you receive my tracking number?"}]
}`

// ms is a createdAt as the ticket service gets it.
func ms(n int64) time.Time { return time.UnixMilli(n).UTC() }

// TestExamples_Answer: the id in Chatra's documented answer is noted, so that the echo
// carrying it is known.
func TestExamples_Answer(t *testing.T) {
	if got := sentID([]byte(docAnswer)); got != "Rb5nW9xKd3PqTm7Yz" {
		t.Errorf("sentID = %q", got)
	}
	seen := newFakeSeen()
	c, f := setup(t, ClientConfig{Sent: seen})
	f.SetAnswer(func(chatratest.Message) string { return docAnswer })
	if err := c.Deliver(context.Background(), testTicket(), agentReply("Hi Lena, it left today with DHL."), "T135/m1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := seen.has(sentScope, "Rb5nW9xKd3PqTm7Yz"); !ok {
		t.Error("the answer's id was not noted")
	}
	var m chatratest.Message
	if err := json.Unmarshal([]byte(docAnswer), &m); err != nil || m.Type != typeAgent || m.CreatedAt == 0 {
		t.Errorf("the fake's Message does not read the documented answer: %+v, %v", m, err)
	}
}

// TestExamples_Webhooks: what Frontdesk does with each documented webhook, given that
// docAnswer's message was sent by Frontdesk (its id noted by the Client).
func TestExamples_Webhooks(t *testing.T) {
	visitorMsg := func(id, text string, at int64) tickets.Message {
		return tickets.Message{Direction: tickets.FromCustomer, SourceMessageID: id, Text: text, At: ms(at)}
	}
	// agents[] names no one in the documented shape: Chatra's agents are shown unnamed.
	chatraAgent := tickets.Message{Direction: tickets.FromSourceAgent, Author: tickets.Agent{Name: "Chatra agent"},
		SourceMessageID: "Gx2cV7mLq4HsNd9Bw", Text: "00340434161094042557", At: ms(1763661990000)}
	tests := []struct {
		name   string
		bodies []string // delivered in order; the last one's answer is checked
		want   result
		conv   string
		msgs   []tickets.Message // the ticket's messages afterwards
	}{
		{
			// A fragment without a ticket opens one with the visitor's message; the echo
			// is dropped by its id, the Chatra agent's message is relayed; times are
			// createdAt.
			name: "Fragment", bodies: []string{docFragment}, want: result{Ticket: 1, Added: 2}, conv: lena,
			msgs: []tickets.Message{visitorMsg("Pz8tY3rMw6KcQv1Ns", "Great, thanks! Tracking number?", 1763661975000), chatraAgent},
		},
		{
			// The same webhook again (Chatra retried it): nothing new, by the ids.
			name: "FragmentRetried", bodies: []string{docFragment, docFragment}, want: result{Ticket: 1}, conv: lena,
			msgs: []tickets.Message{visitorMsg("Pz8tY3rMw6KcQv1Ns", "Great, thanks! Tracking number?", 1763661975000), chatraAgent},
		},
		{
			// The transcript adds what the ticket lacks (the first and last visitor
			// messages), not the echo, and closes the ticket.
			name: "Transcript", bodies: []string{docFragment, docTranscript}, want: result{Ticket: 1, Added: 2, Closed: true}, conv: lena,
			msgs: []tickets.Message{visitorMsg("Pz8tY3rMw6KcQv1Ns", "Great, thanks! Tracking number?", 1763661975000), chatraAgent,
				visitorMsg("Wm3kP8qRt2ZxYb6Ne", "Where is my order A-55190?", 1763661851000),
				visitorMsg("Ck4wN8pTz2LxRm6Qv", "Bye!", 1763662011000)},
		},
		{
			// Without ids or times: the fallbacks, a derived id and the time the ticket
			// service takes the message (left zero here, checked set).
			name: "WithoutIDsOrTimes", bodies: []string{docSpec}, want: result{Ticket: 1, Added: 1}, conv: visitor,
			msgs: []tickets.Message{{Direction: tickets.FromCustomer, Text: "Did you receive my tracking number?",
				SourceMessageID: messageHash(message{kind: typeClient, text: "Did you receive my tracking number?"}) + ":1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk, seen := newTickets(t), newFakeSeen()
			if _, err := remember(context.Background(), seen, sentID([]byte(docAnswer))); err != nil {
				t.Fatal(err)
			}
			h := newTestHandler(t, tk, HandlerConfig{Sent: seen})
			var res result
			for _, b := range tt.bodies {
				res = post(t, h, b)
			}
			if res != tt.want {
				t.Errorf("answer %+v, want %+v", res, tt.want)
			}
			got := tk.transcript(tt.conv)
			for i := range got {
				// A message without a time of its own has the service's.
				if i < len(tt.msgs) && tt.msgs[i].At.IsZero() {
					if got[i].At.IsZero() {
						t.Errorf("message %d has no time", i)
					}
					got[i].At = time.Time{}
				}
			}
			if !reflect.DeepEqual(got, tt.msgs) {
				t.Errorf("messages:\n got %+v\nwant %+v", got, tt.msgs)
			}
		})
	}
}

// TestExamples_Decode: the documented webhook fields as the decoder reads them.
func TestExamples_Decode(t *testing.T) {
	p, err := parsePayload([]byte(docFragment))
	if err != nil {
		t.Fatal(err)
	}
	want := []message{
		{id: "Rb5nW9xKd3PqTm7Yz", kind: typeAgent, text: "Hi Lena, it left today with DHL.", at: "1763661902000"},
		{id: "Pz8tY3rMw6KcQv1Ns", kind: typeClient, text: "Great, thanks! Tracking number?", at: "1763661975000"},
		{id: "Gx2cV7mLq4HsNd9Bw", kind: typeAgent, text: "00340434161094042557", at: "1763661990000"},
	}
	if p.event != eventFragment || p.clientID != lena || !reflect.DeepEqual(p.messages, want) {
		t.Errorf("payload %s %s %+v\nwant messages %+v", p.event, p.clientID, p.messages, want)
	}
	if c := p.customer(); c.Name != "Lena Fischer" || c.Fields["chatId"] != "pQ4nYb7RkA2sLm9Ve" {
		t.Errorf("customer %+v", c)
	}
}
