package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors"
	"github.com/frontdeskhq/frontdesk/internal/app"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// customers is a fake source: it records what Frontdesk sends to customers, in order.
type customers struct {
	mu    sync.Mutex
	lines []string
	next  int   // lines before next were consumed by expect
	fail  error // when set, Send fails with it
	files []tickets.Attachment
}

// attachments returns the attachments sent so far.
func (c *customers) attachments() []tickets.Attachment {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]tickets.Attachment(nil), c.files...)
}

// failWith makes every Send fail with err (nil: succeed again).
func (c *customers) failWith(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = err
}

func (c *customers) record(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, line)
}

func (c *customers) Deliver(_ context.Context, t *tickets.Ticket, out tickets.Outbound, key string) error {
	c.mu.Lock()
	err := c.fail
	if err == nil && out.Message != nil {
		c.files = append(c.files, out.Message.Attachments...)
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	text := out.Text
	if out.Kind == tickets.OutTransferred {
		text = out.Team.Label
	}
	c.record(fmt.Sprintf("%s %s: %s", t.ConversationID, out.Kind, text))
	return nil
}

// helpdesk is a source with a desk of its own: chats can be handed back to it.
type helpdesk struct{ *customers }

func (helpdesk) TakesChatsBack() bool { return true }

// expect waits for the next lines sent to contain each of want, in order.
func (c *customers) expect(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for _, w := range want {
		for {
			c.mu.Lock()
			found := false
			if c.next < len(c.lines) {
				found = strings.Contains(c.lines[c.next], w)
				if !found {
					c.mu.Unlock()
					t.Fatalf("customers got %q, want %q next; all: %q", c.lines[c.next], w, c.lines)
				}
				c.next++
			}
			c.mu.Unlock()
			if found {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("customers never got %q; got %q", w, c.lines)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// nothingMore fails when customers got anything not yet expected.
func (c *customers) nothingMore(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next < len(c.lines) {
		t.Errorf("customers also got %q", c.lines[c.next:])
	}
}

// desk is Frontdesk running in the test against the Slack simulator and a real Redis.
type desk struct {
	*app.App
	cancel context.CancelFunc
	done   chan error
	logs   *lockedBuffer // everything it logged
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secretVar reports whether an environment variable holds a secret.
func secretVar(name string) bool {
	for _, s := range []string{"TOKEN", "SECRET", "PASSWORD", "API_KEY", "ACCOUNT_ID", "PUBLIC_KEY"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// noSecretsIn fails the test when text (named what) holds the value of a secret variable
// of env.
func noSecretsIn(t *testing.T, what, text string, env map[string]string) {
	t.Helper()
	for name, v := range env {
		if secretVar(name) && len(v) >= 6 && strings.Contains(text, v) {
			t.Errorf("%s show %s", what, name)
		}
	}
}

// startDesk builds Frontdesk from vars (over the simulator's) and serves it until stop.
// Chats come from "webhook" (src, unless WEBHOOK_TOKEN turns the real connector on) and
// "helpdesk" (src too, and it can take chats back).
func startDesk(t *testing.T, sim *slacktest.Sim, src *customers, vars map[string]string) *desk {
	t.Helper()
	env := slackEnv(t, sim)
	env["HTTP_ADDR"] = "127.0.0.1:0"
	env["PRIORITY_WINDOW"] = "0"
	env["RATING_WINDOW"] = "0"
	maps.Copy(env, vars)
	cfg, err := loadConfig(environment(env))
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	capture := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(logs), zapcore.DebugLevel)
	log := zap.New(zapcore.NewTee(zaptest.NewLogger(t).Core(), capture))
	fakes := []*connectors.Connector{{Name: "helpdesk", Source: helpdesk{src}}}
	if !cfg.Connectors.Webhook.Enabled() { // else the real chatbot connector is "webhook"
		fakes = append(fakes, &connectors.Connector{Name: "webhook", Source: src})
	}
	a, err := app.Build(&cfg.Config, log, fakes...)
	if err != nil {
		t.Fatal(err)
	}
	// Runs after stop (cleanups run last first): every log line of the run is in.
	t.Cleanup(func() { noSecretsIn(t, "the logs", logs.String(), env) })
	ctx, cancel := context.WithCancel(context.Background())
	d := &desk{App: a, cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { d.done <- a.Serve(ctx) }()
	t.Cleanup(func() { d.stop(t) })
	waitFor(t, a.Connected)
	return d
}

// stop stops Frontdesk as a SIGTERM would, and waits for it.
func (d *desk) stop(t *testing.T) {
	t.Helper()
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Frontdesk did not stop")
	}
	d.Close()
}

func (d *desk) open(t *testing.T, conv, label, name, text string) *tickets.Ticket {
	t.Helper()
	tk, _, err := d.Service().Open(context.Background(), tickets.OpenRequest{
		Source: "webhook", ConversationID: conv, Label: label,
		Customer: tickets.Customer{Name: name, Email: strings.ToLower(name) + "@example.com", Fields: map[string]string{"plan": "pro"}},
		First:    &tickets.Message{Text: text, SourceMessageID: conv + "-0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (d *desk) customerSays(t *testing.T, conv, id, text string) {
	t.Helper()
	if _, _, err := d.Service().CustomerMessage(context.Background(), "webhook", conv, tickets.Message{Text: text, SourceMessageID: id}); err != nil {
		t.Fatal(err)
	}
}

// TestStory follows one chat from request to end: card, Pick, the
// inbox channel, messages both ways in order, a note, a transfer, a pick in the other
// team, and the end.
func TestStory(t *testing.T) {
	t.Parallel()
	client, prefix := redistest.Open(t)
	sim := slacktest.New(t)
	alice, dan := sim.AddUser("alice"), sim.AddUser("dan")
	priya := sim.AddUser("priya")
	support := sim.AddChannel("support-tickets", false, sim.Bot(), alice, sim.AddUser("bob"))
	billing := sim.AddChannel("billing-tickets", false, sim.Bot(), dan)
	src := &customers{}
	d := startDesk(t, sim, src, map[string]string{
		"REDIS_URL": redisURL(t, client), "REDIS_PREFIX": prefix,
		"TICKETING_CHANNELS": support.ID + "=Support Team," + billing.ID + "=Billing",
		"PRIORITY_GROUP":     priya.ID,
	})

	// A request: the card in Support, and a copy for the priority group.
	d.open(t, "carol-1", "Support Team", "Carol", "Hello, I need help")
	card := support.ExpectMessage("Ticket #", "Carol", "Hello, I need help", "Pending")
	if got := card.Buttons(); len(got) != 2 || got[0] != "Pick" || got[1] != "Details" {
		t.Fatalf("card buttons = %v, want [Pick Details]", got)
	}
	dm := priya.ExpectDM("Ticket #", "Carol")
	d.customerSays(t, "carol-1", "c-2", "still there?")
	card.ExpectReply("still there?")

	// Alice picks.
	alice.Click(card, "Pick")
	inbox := sim.ExpectChannelCreated("chat-")
	inbox.ExpectMember(alice)
	inbox.ExpectMember(priya)
	inbox.ExpectMessage("Live chat", "Carol", "carol@example.com", "plan", "pro", "Active", "picked")
	card.ExpectUpdate("Processing by <@" + alice.ID)
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello, I need help")
	inbox.ExpectMessage("still there?")
	src.expect(t, "carol-1 accepted: You are now chatting with an agent.")

	// Messages both ways, in order; a thread reply stays internal.
	hi := alice.Post(inbox, "Hi Carol, let me check")
	moment := alice.Post(inbox, "One moment please")
	src.expect(t, "carol-1 message: Hi Carol, let me check", "carol-1 message: One moment please")
	// Marks are cumulative: the latest message's ✅ stands for those before it.
	moment.ExpectReaction("white_check_mark")
	alice.Reply(hi, "VIP customer, be quick")
	for i := range 5 {
		d.customerSays(t, "carol-1", fmt.Sprintf("c-%d", 10+i), fmt.Sprintf("message %d", i))
	}
	for i := range 5 {
		inbox.ExpectMessage(fmt.Sprintf("message %d", i))
	}

	// Transfer to Billing with Live Chat Control.
	alice.Shortcut(hi, "live_chat_control")
	v := alice.ExpectView("Live Chat Control")
	if strings.Contains(string(v.Blocks()), "Hand back") {
		t.Error("Live Chat Control offers a hand-back for a source that cannot take chats back")
	}
	if ack := alice.Submit(v, map[string]any{"lcc_action": "Transfer to another team", "lcc_team": "Billing"}); len(ack.Errors()) > 0 {
		t.Fatalf("transfer refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Transferred to Billing")
	dm.ExpectUpdate("Transferred to Billing")
	card2 := billing.ExpectMessage("Ticket #", "Carol", "Pending")
	dm2 := priya.ExpectDM("Ticket #", "Carol")
	inbox.ExpectMessage("Transferred to Billing")
	src.expect(t, "carol-1 transferred: Billing")
	alice.Post(inbox, "are you still there?")
	alice.ExpectEphemeral("waiting for someone to pick it")

	// Dan picks it in Billing and joins the same inbox channel.
	dan.Click(card2, "Pick")
	inbox.ExpectMember(dan)
	card2.ExpectUpdate("Processing by <@" + dan.ID)
	dm2.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Active", "picked")
	src.expect(t, "carol-1 accepted: Your chat was transferred to Billing.")

	// Dan ends it.
	last := dan.Post(inbox, "All sorted, bye!")
	src.expect(t, "carol-1 message: All sorted, bye!")
	last.ExpectReaction("white_check_mark")
	dan.Shortcut(last, "live_chat_control")
	v = dan.ExpectView("Live Chat Control")
	if ack := dan.Submit(v, map[string]any{"lcc_action": "End the live chat", "lcc_reason": "solved"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card2.ExpectUpdate("Closed by <@" + dan.ID)
	dm2.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	inbox.ExpectArchived()
	src.expect(t, "carol-1 ended: This chat has ended.")
	src.nothingMore(t)
}
