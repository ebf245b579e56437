package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/chatra"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// The store is the Chatra connector's shared memory of the ids of the messages Frontdesk
// sent (wire it as ClientConfig.Sent and HandlerConfig.Sent).
var _ chatra.Seen = (*store.Redis)(nil)

// TestChatra_EchoByIDInRedis: the id Chatra answers a reply with, noted in Redis by one
// replica, lets another replica, and the same one after a restart, drop Chatra's webhook
// echo of that reply even without receivedFrom; a webhook Chatra retries relays its
// messages once, by their ids. Only Redis is shared between the replicas.
func TestChatra_EchoByIDInRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rc, prefix := redistest.Open(t)
	newStore := func() *store.Redis {
		st, err := store.New(rc, store.Config{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	api := newFakeChatra(t)
	// A replica: its own store, ticket service, Chatra client and webhook handler.
	type replica struct {
		st     *store.Redis
		svc    *tickets.Service
		client *chatra.Client
		hook   http.Handler
	}
	newReplica := func() replica {
		st := newStore()
		svc, err := tickets.New(tickets.Config{Store: st, Initial: tickets.Settings{
			TicketingChannels: []tickets.Team{{ChannelID: "C0SUPPORT", Label: "Support"}}}})
		if err != nil {
			t.Fatal(err)
		}
		st.SetRoutes(svc.Routes())
		client, err := chatra.NewClient(chatra.ClientConfig{APIURL: api.APIURL(), PublicKey: "pub-key",
			SecretKey: "secret-key", TeamEmail: "team@example.com", Sent: st}, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		h, err := chatra.NewHandler(chatra.HandlerConfig{Token: chatraToken, Sent: st}, svc, zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle(chatra.PathPrefix+"{token}", h)
		return replica{st: st, svc: svc, client: client, hook: mux}
	}
	hook := func(r replica, body string) map[string]any {
		t.Helper()
		w := httptest.NewRecorder()
		r.hook.ServeHTTP(w, httptest.NewRequest(http.MethodPost, chatra.PathPrefix+chatraToken, strings.NewReader(body)))
		if w.Code != http.StatusOK {
			t.Fatalf("webhook: %d %s", w.Code, w.Body)
		}
		var res map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := newReplica(), newReplica()

	started := `{"eventName":"chatStarted","client":{"id":"v-echo"},"agents":[],
		"messages":[{"id":"m-v1","type":"client","text":"Where is my order?","createdAt":1763661851000}]}`
	hook(b, started)
	tk, err := a.st.FindOpen(ctx, chatra.Source, "v-echo")
	if err != nil {
		t.Fatal(err)
	}
	reply := &tickets.Message{ID: "m-a1", Direction: tickets.FromAgent, Text: "It left today with DHL.",
		Author: tickets.Agent{ID: "U0DAN", Name: "Dan"}, SourceMessageID: "1763661900.000100"}
	if err := a.client.Deliver(ctx, tk, tickets.Outbound{Kind: tickets.OutMessage, Text: reply.Text, Message: reply,
		At: time.Now()}, string(tk.ID)+"/m-a1"); err != nil {
		t.Fatal(err)
	}
	ids := api.IDs()
	id := ids[len(ids)-1]

	echo := fmt.Sprintf(`{"eventName":"chatFragment","client":{"id":"v-echo"},"messages":[
		{"id":%q,"type":"agent","text":"It left today with DHL.","createdAt":1763661902000},
		{"id":"m-v2","type":"client","text":"Thanks!","createdAt":1763661975000}]}`, id)
	if res := hook(b, echo); res["added"] != 1.0 {
		t.Errorf("the echo and a visitor's message, on the other replica: %v, want only the visitor's added", res)
	}
	if res := hook(b, echo); res["added"] != nil {
		t.Errorf("the same webhook again: %v, want nothing added", res)
	}
	// After a restart: a new store, service and handler, the same Redis.
	if res := hook(newReplica(), echo); res["added"] != nil {
		t.Errorf("the same webhook after a restart: %v, want nothing added", res)
	}
	colleague := `{"eventName":"chatFragment","client":{"id":"v-echo"},"messages":[
		{"id":"m-c1","type":"agent","text":"Tracking: 00340434161094042557","createdAt":1763661990000}]}`
	if res := hook(a, colleague); res["added"] != 1.0 {
		t.Errorf("a Chatra agent's message: %v, want it added", res)
	}

	msgs, err := b.svc.Transcript(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, string(m.Direction)+": "+m.Text)
		if m.SourceMessageID == "m-v2" && !m.At.Equal(time.UnixMilli(1763661975000)) {
			t.Errorf("the visitor's message is at %v, want its createdAt", m.At)
		}
	}
	// (The reply itself is not in it: this test hands it to the Client directly, not
	// through Slack.)
	want := []string{"customer: Where is my order?", "customer: Thanks!", "source_agent: Tracking: 00340434161094042557"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("transcript:\n got %q\nwant %q", got, want)
	}
}
