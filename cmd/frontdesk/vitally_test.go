package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/vitally"
	"github.com/frontdeskhq/frontdesk/connectors/vitally/vitallytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

const vitallySecret = "sk_live_e2e"

// fakeVitally is a Vitally with the Frontdesk Requests object and every trait, and an
// Organization "Example Inc" with an Account "Example EU" where carol@example.com is a
// user of both.
func fakeVitally(t *testing.T) (*vitallytest.Server, vitallytest.CustomObject, vitallytest.Account) {
	t.Helper()
	fake := vitallytest.New(vitallySecret)
	t.Cleanup(fake.Close)
	obj := fake.AddCustomObject(vitally.DefaultObject)
	for _, tr := range vitally.Traits() {
		fake.AddCustomField(vitallytest.CustomField{Label: tr.Label, Type: tr.Type, CustomObjectID: obj.ID})
	}
	org := fake.AddOrganization(vitallytest.Organization{ExternalID: "example", Name: "Example Inc"})
	acct := fake.AddAccount(vitallytest.Account{ExternalID: "example-eu", Name: "Example EU", OrganizationID: org.ID})
	fake.AddUser(vitallytest.User{ExternalID: "carol", Name: "Carol", Email: "carol@example.com",
		AccountIDs: []string{acct.ID}, OrganizationIDs: []string{org.ID}})
	return fake, obj, acct
}

// waitInstance waits until the ticket's instance in Vitally satisfies ok.
func waitInstance(t *testing.T, fake *vitallytest.Server, obj vitallytest.CustomObject, tk *tickets.Ticket,
	ok func(map[string]any) bool) vitallytest.Instance {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		in, found := fake.InstanceByExternalID(obj.ID, "frontdesk-"+string(tk.ID))
		if found && ok(fake.TraitsByLabel(in)) {
			return in
		}
		if time.Now().After(deadline) {
			t.Fatalf("Vitally never got the ticket as wanted; instance %v: %+v", found, fake.TraitsByLabel(in))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestVitally_OpenPickEnd: a ticket opened, picked and ended is one instance in Vitally
// with its final traits, on the Organization and Account of the requestor.
func TestVitally_OpenPickEnd(t *testing.T) {
	t.Parallel()
	fake, obj, acct := fakeVitally(t)
	w := newWorld(t, map[string]string{"VITALLY_API_URL": fake.URL, "VITALLY_SECRET": vitallySecret})
	tk := w.d.open(t, "v-1", "Support Team", "Carol", "Hello, my invoice is wrong")
	_, inbox := w.active(t, "v-1")
	hi := w.alice.Post(inbox, "Let me check the invoice")
	w.alice.Reply(hi, "looks like a double charge")
	w.src.expect(t, "v-1 message: Let me check the invoice")
	w.alice.Shortcut(hi, "live_chat_control")
	v := w.alice.ExpectView("Live Chat Control")
	if ack := w.alice.Submit(v, map[string]any{"lcc_action": "End the live chat", "lcc_reason": "refunded"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	w.src.expect(t, "v-1 ended")

	in := waitInstance(t, fake, obj, tk, func(tr map[string]any) bool { return tr["Status"] == "Closed" })
	if n := len(fake.Instances(obj.ID)); n != 1 {
		t.Errorf("instances = %d, want 1", n)
	}
	if in.CustomerID != acct.ID || in.OrganizationID != acct.OrganizationID {
		t.Errorf("linked to account %q, organization %q; want %q, %q", in.CustomerID, in.OrganizationID, acct.ID, acct.OrganizationID)
	}
	tr := fake.TraitsByLabel(in)
	for label, want := range map[string]string{
		"Assigned To": "alice", "Request Closed By": "alice", "Message Text": "Hello, my invoice is wrong",
		"Requestor": "Carol <carol@example.com>", "Customer Thread": "Let me check the invoice",
		"Internal Thread": "double charge", "Permalink": "/archives/" + inbox.ID, "Request Internal Notification Link": "/archives/" + w.support.ID,
	} {
		if s, _ := tr[label].(string); !strings.Contains(strings.ToLower(s), strings.ToLower(want)) {
			t.Errorf("%s = %q, want it to contain %q", label, s, want)
		}
	}
	if in.Name != "Frontdesk Request ID: "+strconv.FormatInt(tk.Number, 10) || tr["Request Id"] != float64(tk.Number) {
		t.Errorf("name %q, request id %v", in.Name, tr["Request Id"])
	}
	got, err := w.d.Service().Get(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Syncs["vitally"]; !s.Synced || s.RemoteID != in.ID || !strings.Contains(s.Where, "Example EU") {
		t.Errorf("sync status = %+v", s)
	}
	w.sim.DiscardUnexpected()
}

// TestVitally_NoSyncIsShown: a requestor Vitally cannot place is not synced, and agents
// see why under the card.
func TestVitally_NoSyncIsShown(t *testing.T) {
	t.Parallel()
	fake, obj, _ := fakeVitally(t)
	w := newWorld(t, map[string]string{"VITALLY_API_URL": fake.URL, "VITALLY_SECRET": vitallySecret})
	if _, _, err := w.d.Service().Open(context.Background(), tickets.OpenRequest{
		Source: "webhook", ConversationID: "v-2", Customer: tickets.Customer{Name: "Mallory"},
		First: &tickets.Message{Text: "Hi", SourceMessageID: "v-2-0"},
	}); err != nil {
		t.Fatal(err)
	}
	card := w.support.ExpectMessage("Ticket #", "Mallory")
	card.ExpectReply("Vitally: not synced", "gave no email")
	if n := len(fake.Instances(obj.ID)); n != 0 {
		t.Errorf("instances = %d", n)
	}
	w.sim.DiscardUnexpected()
}

// TestVitally_AdminPanelSetUp: an admin enters the URL and secret; the panel turns into
// the set-up check, which adds the traits the object lacks and names them.
func TestVitally_AdminPanelSetUp(t *testing.T) {
	t.Parallel()
	fake := vitallytest.New(vitallySecret)
	t.Cleanup(fake.Close)
	obj := fake.AddCustomObject(vitally.DefaultObject)
	fake.AddCustomField(vitallytest.CustomField{Label: "Status", Type: "string", CustomObjectID: obj.ID})
	w := newWorld(t, nil)
	ada := w.sim.AddUser("ada", slacktest.Admin())
	ada.GlobalShortcut("frontdesk_admin")
	v := ada.ExpectView("Frontdesk settings", "Vitally")

	ack := ada.Submit(v, map[string]any{"vitally_url": fake.URL})
	if why := ack.Errors()["vitally_secret"]; why == "" {
		t.Fatalf("errors = %v, want the missing secret named", ack.Errors())
	}
	ack = ada.Submit(v, map[string]any{"vitally_url": "not a url", "vitally_secret": vitallySecret})
	if why := ack.Errors()["vitally_url"]; why == "" {
		t.Fatalf("errors = %v, want the bad URL named", ack.Errors())
	}
	ack = ada.Submit(v, map[string]any{"vitally_url": fake.URL, "vitally_secret": vitallySecret})
	if len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	v.ExpectUpdate("Vitally set-up", "is set up", "Found the custom object", "Added 23 traits", "Request Closed At (datetime)")
	if n := len(fake.CustomFields(obj.ID)); n != len(vitally.Traits()) {
		t.Errorf("%d traits in Vitally, want %d", n, len(vitally.Traits()))
	}
	saved := savedVitally(t, w)
	if saved.APIURL != fake.URL || saved.Secret != vitallySecret || !saved.PushNew || !saved.UpdateExisting || saved.Since.IsZero() {
		t.Errorf("saved %v (push %v, update %v, since %v)", saved, saved.PushNew, saved.UpdateExisting, saved.Since)
	}

	// Opened again, the panel does not show the secret and keeps it when left empty.
	ada.GlobalShortcut("frontdesk_admin")
	v = ada.ExpectView("Frontdesk settings", "Vitally secret")
	if blocks := string(v.Blocks()); strings.Contains(blocks, vitallySecret) || !strings.Contains(blocks, "Saved; leave empty to keep it") {
		t.Errorf("the admin panel shows the secret, or not that one is saved: %s", blocks)
	}
	if ack := ada.Submit(v, map[string]any{"vitally_sync": []string{"Push new tickets to Vitally"}}); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	v.ExpectUpdate("Vitally set-up", "is set up", "All 24 traits are there")
	saved = savedVitally(t, w)
	if saved.Secret != vitallySecret || !saved.PushNew || saved.UpdateExisting {
		t.Errorf("saved %v (push %v, update %v)", saved, saved.PushNew, saved.UpdateExisting)
	}
	w.sim.DiscardUnexpected()
}

// savedVitally returns the Vitally sink's saved settings.
func savedVitally(t *testing.T, w *world) vitally.Settings {
	t.Helper()
	st, err := w.d.Service().Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var v vitally.Settings
	if err := json.Unmarshal(st.Sinks[vitally.Name], &v); err != nil {
		t.Fatalf("the Vitally sink's settings %s: %v", st.Sinks[vitally.Name], err)
	}
	return v
}
