package chatra

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/chatra/chatratest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const (
	testPublic = "pk_4Gm8Qw2Zx"
	testSecret = "sk_9fJ2kQx7Lp"
	// testPrefix is the path Chatra's API is reached under (a proxy, say): the client
	// must keep it.
	testPrefix = "/chatra-proxy/api/"
	teamEmail  = "support@acme-bikes.example"
)

// newFakeChatra starts the fake Chatra (chatratest) under testPrefix, taking the test
// keys. The test fails on a request it refused and on one without the client's
// User-Agent.
func newFakeChatra(t *testing.T) *chatratest.Server {
	t.Helper()
	f := chatratest.New(testPublic, testSecret)
	f.SetPrefix(testPrefix)
	t.Cleanup(func() {
		f.Close()
		for _, s := range f.Strays() {
			t.Errorf("the fake Chatra refused %s", s)
		}
		for _, r := range f.Requests() {
			if ua := r.Header.Get("User-Agent"); ua != userAgent {
				t.Errorf("User-Agent = %q, want %q", ua, userAgent)
			}
		}
	})
	return f
}

// setup returns a Client pointed at a fake Chatra under testPrefix.
func setup(t *testing.T, cfg ClientConfig) (*Client, *chatratest.Server) {
	t.Helper()
	f := newFakeChatra(t)
	cfg.APIURL = strings.TrimSuffix(f.APIURL(), "/") // the client adds the slash
	cfg.PublicKey, cfg.SecretKey = testPublic, testSecret
	if cfg.TeamEmail == "" {
		cfg.TeamEmail = teamEmail
	}
	c, err := NewClient(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, f
}

// TestFakeChatra_Limits: the fake takes what the client may send, no more.
func TestFakeChatra_Limits(t *testing.T) {
	if chatratest.MaxTextChars != maxTextChars {
		t.Errorf("the fake takes %d characters, the client splits at %d", chatratest.MaxTextChars, maxTextChars)
	}
}

func testTicket() *tickets.Ticket {
	return &tickets.Ticket{ID: "T135", Number: 135, Source: Source, ConversationID: lena}
}

func TestClient_Deliver(t *testing.T) {
	alice := &tickets.Agent{ID: "U0ALICE", Name: "Alice Martin", Email: "alice@acme-bikes.example"}
	noEmail := &tickets.Agent{ID: "U0BOB", Name: "Bob"}
	noName := &tickets.Agent{ID: "U0CARA", Email: "cara@acme-bikes.example"}
	msg := func(atts ...tickets.Attachment) *tickets.Message {
		return &tickets.Message{ID: "m7", Direction: tickets.FromAgent, Author: *alice,
			Text: "It left today with DHL; here is the tracking page.", Attachments: atts}
	}
	label := tickets.Attachment{URL: "https://desk.example.com/files/eyJmIjoiRjA3In0.x9Qk", Name: "label.pdf", MIME: "application/pdf"}
	photo := tickets.Attachment{URL: "https://desk.example.com/files/eyJmIjoiRjA4In0.a1Zq"}
	as := func(name, email, text string) chatratest.Sent {
		return chatratest.Sent{ClientID: lena, Text: text, AgentName: name, AgentEmail: email, ReceivedFrom: "frontdesk"}
	}
	tests := []struct {
		name string
		cfg  ClientConfig
		out  tickets.Outbound
		want []chatratest.Sent
	}{
		{"Message", ClientConfig{}, tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg(), Agent: alice},
			[]chatratest.Sent{as("Alice Martin", "alice@acme-bikes.example", msg().Text)}},
		{"MessageAgentHidden", ClientConfig{}, tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg()},
			[]chatratest.Sent{as("Support", teamEmail, msg().Text)}},
		{"MessageAgentWithoutEmail", ClientConfig{}, tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg(), Agent: noEmail},
			[]chatratest.Sent{as("Support", teamEmail, msg().Text)}},
		{"MessageAgentWithoutName", ClientConfig{}, tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg(), Agent: noName},
			[]chatratest.Sent{as("Support", "cara@acme-bikes.example", msg().Text)}},
		{"MessageTeamIdentity", ClientConfig{TeamName: "Acme Bikes", TeamEmail: "help@acme-bikes.example", ReceivedFrom: "acme-desk"},
			tickets.Outbound{Kind: tickets.OutMessage, Message: msg()},
			[]chatratest.Sent{{ClientID: lena, Text: msg().Text, AgentName: "Acme Bikes", AgentEmail: "help@acme-bikes.example", ReceivedFrom: "acme-desk"}}},
		{"MessageWithFiles", ClientConfig{}, tickets.Outbound{Kind: tickets.OutMessage, Text: msg().Text, Message: msg(label, photo), Agent: alice},
			[]chatratest.Sent{as("Alice Martin", "alice@acme-bikes.example", msg().Text+"\nlabel.pdf: "+label.URL+"\n"+photo.URL)}},
		{"FilesOnly", ClientConfig{}, tickets.Outbound{Kind: tickets.OutMessage, Message: &tickets.Message{ID: "m8", Attachments: []tickets.Attachment{photo}}},
			[]chatratest.Sent{as("Support", teamEmail, photo.URL)}},
		{"Accepted", ClientConfig{}, tickets.Outbound{Kind: tickets.OutAccepted, Text: "You are now chatting with Alice.", Agent: alice},
			[]chatratest.Sent{as("Alice Martin", "alice@acme-bikes.example", "You are now chatting with Alice.")}},
		{"AcceptedAgentHidden", ClientConfig{}, tickets.Outbound{Kind: tickets.OutAccepted, Text: "An agent is with you now."},
			[]chatratest.Sent{as("Support", teamEmail, "An agent is with you now.")}},
		{"AcceptedWithoutText", ClientConfig{}, tickets.Outbound{Kind: tickets.OutAccepted, Agent: alice}, nil},
		{"Ended", ClientConfig{}, tickets.Outbound{Kind: tickets.OutEnded, Text: "This chat has ended. Thank you!"},
			[]chatratest.Sent{as("Support", teamEmail, "This chat has ended. Thank you!")}},
		{"Transferred", ClientConfig{}, tickets.Outbound{Kind: tickets.OutTransferred, Team: tickets.Team{ChannelID: "C0BILLING", Label: "Billing"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := setup(t, tt.cfg)
			tt.out.At = time.Now()
			if err := c.Deliver(context.Background(), testTicket(), tt.out, "T135/m7"); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if got := f.Sent(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Chatra got\n%+v\nwant\n%+v", got, tt.want)
			}
			if len(f.Requests()) != len(tt.want) {
				t.Errorf("%d requests, want %d", len(f.Requests()), len(tt.want))
			}
		})
	}
}

// TestClient_Refused: what Chatra cannot be told fails for good, without a request.
func TestClient_Refused(t *testing.T) {
	noConv := testTicket()
	noConv.ConversationID = ""
	tests := []struct {
		name string
		t    *tickets.Ticket
		out  tickets.Outbound
		key  string
	}{
		{"HandedBack", testTicket(), tickets.Outbound{Kind: tickets.OutHandedBack}, "k"},
		{"UnknownKind", testTicket(), tickets.Outbound{Kind: "poked", Text: "hi"}, "k"},
		{"MessageWithoutMessage", testTicket(), tickets.Outbound{Kind: tickets.OutMessage, Text: "hi"}, "k"},
		{"NoConversation", noConv, tickets.Outbound{Kind: tickets.OutEnded, Text: "bye"}, "k"},
		{"NoTicket", nil, tickets.Outbound{Kind: tickets.OutEnded, Text: "bye"}, "k"},
		{"NoKey", testTicket(), tickets.Outbound{Kind: tickets.OutEnded, Text: "bye"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := setup(t, ClientConfig{})
			err := c.Deliver(context.Background(), tt.t, tt.out, tt.key)
			if !tickets.IsPermanent(err) {
				t.Errorf("Deliver = %v, want a permanent error", err)
			}
			if len(f.Requests()) != 0 {
				t.Errorf("%d requests, want none", len(f.Requests()))
			}
		})
	}
	var src tickets.Source = &Client{}
	if _, ok := src.(tickets.HandBacker); ok {
		t.Error("Client is a tickets.HandBacker: Chatra cannot take chats back")
	}
}

// words returns n characters of text: words of 3 to 11 letters, with a line break now
// and then and a paragraph break less often.
func words(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 3+i%9))
		switch {
		case i%97 == 96:
			b.WriteString("\n\n")
		case i%31 == 30:
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()[:n]
}

// TestClient_Split: a 6000-character reply goes as two messages, each within Chatra's
// limit, in order, that together are the reply.
func TestClient_Split(t *testing.T) {
	c, f := setup(t, ClientConfig{})
	text := words(6000)
	out := tickets.Outbound{Kind: tickets.OutMessage, Text: text, Message: &tickets.Message{ID: "m1", Text: text}, At: time.Now()}
	if err := c.Deliver(context.Background(), testTicket(), out, "T135/m1"); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	sent := f.Sent()
	if len(sent) != 2 {
		t.Fatalf("%d messages, want 2", len(sent))
	}
	var joined string
	for i, m := range sent {
		if n := chars(m.Text); n > maxTextChars {
			t.Errorf("part %d has %d characters", i+1, n)
		}
		if i < len(sent)-1 && !strings.HasSuffix(m.Text, " ") && !strings.HasSuffix(m.Text, "\n") {
			t.Errorf("part %d ends inside a word: %q", i+1, m.Text[len(m.Text)-20:])
		}
		joined += m.Text
	}
	if joined != text {
		t.Error("the parts do not rejoin to the reply")
	}
	if c.progress.size() != 0 {
		t.Errorf("%d keys still remembered after success", c.progress.size())
	}
}

// TestClient_SplitResume: when a part fails, the retry sends only the parts Chatra did
// not take yet.
func TestClient_SplitResume(t *testing.T) {
	c, f := setup(t, ClientConfig{})
	text := words(12000) // three parts
	out := tickets.Outbound{Kind: tickets.OutMessage, Text: text, Message: &tickets.Message{ID: "m1", Text: text}, At: time.Now()}
	f.FailAt(2, chatratest.Failure{Status: http.StatusServiceUnavailable}) // part 1 is taken, part 2 fails
	err := c.Deliver(context.Background(), testTicket(), out, "T135/m1")
	if got := outcomeOf(err); got != (outcome{}) {
		t.Fatalf("first attempt: %v (%+v), want transient", err, got)
	}
	if n := len(f.Sent()); n != 1 {
		t.Fatalf("after the failure Chatra has %d parts, want 1", n)
	}
	if err := c.Deliver(context.Background(), testTicket(), out, "T135/m1"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	sent := f.Sent()
	if len(sent) != 3 {
		t.Fatalf("Chatra has %d parts, want 3 (none twice)", len(sent))
	}
	if sent[0].Text+sent[1].Text+sent[2].Text != text {
		t.Error("the parts do not rejoin to the reply")
	}
	if len(f.Requests()) != 4 {
		t.Errorf("%d requests, want 4 (part 1, part 2 failed, part 2, part 3)", len(f.Requests()))
	}

	t.Run("OtherKeyStartsOver", func(t *testing.T) {
		c, f := setup(t, ClientConfig{})
		f.FailAt(2, chatratest.Failure{Status: http.StatusBadGateway})
		_ = c.Deliver(context.Background(), testTicket(), out, "T135/m1")
		if err := c.Deliver(context.Background(), testTicket(), out, "T135/m2"); err != nil {
			t.Fatal(err)
		}
		if n := len(f.Sent()); n != 4 {
			t.Errorf("Chatra has %d parts, want 1 + 3", n)
		}
	})
}

// outcome is what an error from Deliver tells the outbox to do.
type outcome struct {
	permanent bool
	after     time.Duration // a RetryAfterError's pause, 0 for none
	ok        bool
}

func outcomeOf(err error) outcome {
	d, _ := tickets.RetryAfter(err)
	return outcome{permanent: tickets.IsPermanent(err), after: d, ok: err == nil}
}

// TestClient_NetworkErrors: no answer is transient, and the error quotes neither the URL
// nor the keys.
func TestClient_NetworkErrors(t *testing.T) {
	t.Run("Refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL + "/api/"
		srv.Close()
		c, err := NewClient(ClientConfig{APIURL: url, PublicKey: testPublic, SecretKey: testSecret, TeamEmail: teamEmail}, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Deliver(context.Background(), testTicket(), tickets.Outbound{Kind: tickets.OutEnded, Text: "bye", At: time.Now()}, "k1")
		if got := outcomeOf(err); got != (outcome{}) {
			t.Errorf("Deliver = %v: %+v, want transient", err, got)
		}
		for _, s := range []string{url, testPublic, testSecret} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error quotes %q: %v", s, err)
			}
		}
	})
	t.Run("Timeout", func(t *testing.T) {
		c, f := setup(t, ClientConfig{Timeout: 50 * time.Millisecond})
		f.SetDelay(time.Hour) // never answers in time
		err := c.Deliver(context.Background(), testTicket(), tickets.Outbound{Kind: tickets.OutEnded, Text: "bye", At: time.Now()}, "k1")
		if got := outcomeOf(err); got != (outcome{}) {
			t.Errorf("Deliver = %v: %+v, want transient", err, got)
		}
	})
}

// TestClient_RetryFor: a transient failure is permanent once RetryFor has passed since
// the event happened.
func TestClient_RetryFor(t *testing.T) {
	tests := []struct {
		name     string
		retryFor time.Duration
		status   int
		age      time.Duration // how long ago the event happened; 0: At unset
		want     outcome
	}{
		{"FreshServerError", 0, 503, time.Minute, outcome{}},
		{"OldServerError", 0, 503, 61 * time.Minute, outcome{permanent: true}},
		{"NoTimeServerError", 0, 503, 0, outcome{}},
		{"OldRateLimited", 0, 429, 2 * time.Hour, outcome{permanent: true, after: time.Second}},
		{"ShortRetryFor", time.Minute, 500, 2 * time.Minute, outcome{permanent: true}},
		{"OldSuccess", 0, 200, 5 * time.Hour, outcome{ok: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := setup(t, ClientConfig{RetryFor: tt.retryFor})
			if tt.status != 200 {
				f.FailNext(chatratest.Failure{Status: tt.status})
			}
			out := tickets.Outbound{Kind: tickets.OutMessage, Message: &tickets.Message{ID: "m1", Text: "hi"}}
			if tt.age != 0 {
				out.At = time.Now().Add(-tt.age)
			}
			err := c.Deliver(context.Background(), testTicket(), out, "T135/m1")
			if got := outcomeOf(err); got != tt.want {
				t.Errorf("Deliver = %v: %+v, want %+v", err, got, tt.want)
			}
		})
	}
}

func TestNewClient(t *testing.T) {
	ok := ClientConfig{PublicKey: testPublic, SecretKey: testSecret, TeamEmail: teamEmail}
	with := func(edit func(*ClientConfig)) ClientConfig {
		c := ok
		edit(&c)
		return c
	}
	tests := []struct {
		name string
		cfg  ClientConfig
		ok   bool
	}{
		{"Defaults", ok, true},
		{"OtherAPIURL", with(func(c *ClientConfig) { c.APIURL = "http://127.0.0.1:9000/api" }), true},
		{"RelativeAPIURL", with(func(c *ClientConfig) { c.APIURL = "/api/" }), false},
		{"FTPAPIURL", with(func(c *ClientConfig) { c.APIURL = "ftp://app.chatra.io/api/" }), false},
		{"APIURLWithQuery", with(func(c *ClientConfig) { c.APIURL = "https://app.chatra.io/api/?x=1" }), false},
		{"NoPublicKey", with(func(c *ClientConfig) { c.PublicKey = "" }), false},
		{"NoSecretKey", with(func(c *ClientConfig) { c.SecretKey = "" }), false},
		{"KeyWithColon", with(func(c *ClientConfig) { c.PublicKey = "pk:x" }), false},
		{"KeyWithNewline", with(func(c *ClientConfig) { c.SecretKey = testSecret + "\n" }), false},
		{"NoTeamEmail", with(func(c *ClientConfig) { c.TeamEmail = "" }), false},
		{"TeamEmailNotEmail", with(func(c *ClientConfig) { c.TeamEmail = "support" }), false},
		{"BlankTeamName", with(func(c *ClientConfig) { c.TeamName = "  " }), false},
		{"NegativeRetryFor", with(func(c *ClientConfig) { c.RetryFor = -time.Second }), false},
		{"NegativeTimeout", with(func(c *ClientConfig) { c.Timeout = -time.Second }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cfg, nil)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				for _, s := range []string{testPublic, testSecret} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error quotes a key: %v", err)
					}
				}
				return
			}
			if tt.name == "Defaults" && (c.url != "https://app.chatra.io/api/messages/" || c.teamName != "Support" ||
				c.receivedFrom != "frontdesk" || c.retryFor != time.Hour || c.timeout != 10*time.Second) {
				t.Errorf("defaults: %s %q %q %s %s", c.url, c.teamName, c.receivedFrom, c.retryFor, c.timeout)
			}
		})
	}
	if c, _ := NewClient(with(func(c *ClientConfig) { c.APIURL = "http://127.0.0.1:9000/api" }), nil); c.url != "http://127.0.0.1:9000/api/messages/" {
		t.Errorf("url = %s", c.url)
	}
}
