package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/bot/slacktest"
	"github.com/frontdeskhq/frontdesk/connectors/vitally"
	"github.com/frontdeskhq/frontdesk/connectors/vitally/vitallytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestVitally_NothingCreatedBeforehand: Vitally knows the customers but has no custom
// object and no traits. Frontdesk creates the object with every trait on its first start,
// and nine tickets, one per row of the linking table (docs/vitally.md), end as one
// instance each with their final traits, linked as the row says, or not synced.
func TestVitally_NothingCreatedBeforehand(t *testing.T) {
	t.Parallel()
	fake := vitallytest.New(vitallySecret)
	t.Cleanup(fake.Close)
	type want struct{ org, account string } // names; both "" means no sync
	rows := []struct {
		orgs, accts int
		want        want
	}{
		{1, 1, want{"Org 1", "Account 1"}},
		{1, 0, want{"Org 1", ""}},
		{1, 2, want{"Org 1", ""}},
		{0, 1, want{"", "Account 1"}},
		{0, 0, want{}},
		{0, 2, want{}},
		{2, 1, want{"Org 2", "Account 1"}},
		{2, 0, want{}},
		{2, 2, want{}},
	}
	ids := map[string]string{} // row/name → Vitally id
	for r, row := range rows {
		var orgIDs, acctIDs []string
		for i := range row.orgs {
			o := fake.AddOrganization(vitallytest.Organization{ExternalID: fmt.Sprintf("r%d-o%d", r, i+1), Name: fmt.Sprintf("Org %d", i+1)})
			orgIDs = append(orgIDs, o.ID)
			ids[fmt.Sprintf("%d/%s", r, o.Name)] = o.ID
		}
		for i := range row.accts {
			a := vitallytest.Account{ExternalID: fmt.Sprintf("r%d-a%d", r, i+1), Name: fmt.Sprintf("Account %d", i+1)}
			if len(orgIDs) > 0 {
				a.OrganizationID = orgIDs[len(orgIDs)-1] // accounts belong to the last Organization
			}
			a = fake.AddAccount(a)
			acctIDs = append(acctIDs, a.ID)
			ids[fmt.Sprintf("%d/%s", r, a.Name)] = a.ID
		}
		fake.AddUser(vitallytest.User{ExternalID: fmt.Sprintf("u%d", r), Name: "Customer", Email: fmt.Sprintf("row%d@r%d.example", r, r),
			AccountIDs: acctIDs, OrganizationIDs: orgIDs})
	}

	w := newWorld(t, map[string]string{"VITALLY_API_URL": fake.URL, "VITALLY_SECRET": vitallySecret})
	ctx := context.Background()
	// The object and its traits are made at start, before any ticket.
	obj := waitObject(t, fake, vitally.DefaultObject, len(vitally.Traits()))

	var tks []*tickets.Ticket
	for r := range rows {
		conv := fmt.Sprintf("nc-%d", r)
		tk, _, err := w.d.Service().Open(ctx, tickets.OpenRequest{
			Source: "webhook", ConversationID: conv, Label: "Support Team",
			Customer: tickets.Customer{Name: fmt.Sprintf("Row %d", r), Email: fmt.Sprintf("row%d@r%d.example", r, r)},
			First:    &tickets.Message{Text: fmt.Sprintf("Question %d", r), SourceMessageID: conv + "-0"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.d.Service().SourceClosed(ctx, "webhook", conv, "resolved by the bot"); err != nil {
			t.Fatal(err)
		}
		tks = append(tks, tk)
	}
	for r, row := range rows {
		tk := tks[r]
		if row.want == (want{}) {
			waitSync(t, w, tk, func(s tickets.SyncStatus) bool { return !s.Synced && s.Reason != "" })
			if _, ok := fake.InstanceByExternalID(obj.ID, "frontdesk-"+string(tk.ID)); ok {
				t.Errorf("row %d: synced, want no sync", r)
			}
			continue
		}
		in := waitInstance(t, fake, obj, tk, func(tr map[string]any) bool { return tr["Status"] == "Closed" })
		if in.OrganizationID != ids[fmt.Sprintf("%d/%s", r, row.want.org)] || in.CustomerID != ids[fmt.Sprintf("%d/%s", r, row.want.account)] {
			t.Errorf("row %d: linked to organization %q, account %q; want %q, %q", r, in.OrganizationID, in.CustomerID, row.want.org, row.want.account)
		}
		tr := fake.TraitsByLabel(in)
		if tr["Message Text"] != fmt.Sprintf("Question %d", r) || tr["Request Id"] != float64(tk.Number) ||
			tr["Requestor"] != fmt.Sprintf("Row %d <row%d@r%d.example>", r, r, r) || tr["Request Closed At"] == nil {
			t.Errorf("row %d: traits %v", r, tr)
		}
		waitSync(t, w, tk, func(s tickets.SyncStatus) bool { return s.Synced && s.Reason == "" && s.RemoteID == in.ID })
	}
	if n := len(fake.Instances(obj.ID)); n != 5 {
		t.Errorf("%d instances, want 5 (one per row that syncs)", n)
	}
	if objs := fake.CustomObjects(); len(objs) != 1 {
		t.Errorf("objects %+v", objs)
	}
	w.sim.DiscardUnexpected()
}

// TestVitally_RefusedSetUpSaysWhatToCreate: Vitally does not let the secret manage custom
// objects. The admin panel's check says exactly what to create; once Vitally lets it,
// saving again creates the object.
func TestVitally_RefusedSetUpSaysWhatToCreate(t *testing.T) {
	t.Parallel()
	fake := vitallytest.New(vitallySecret)
	t.Cleanup(fake.Close)
	fake.RefuseSchemaChanges(http.StatusForbidden)
	w := newWorld(t, nil)
	ada := w.sim.AddUser("ada", slacktest.Admin())
	ada.GlobalShortcut("frontdesk_admin")
	v := ada.ExpectView("Frontdesk settings", "Vitally")
	if ack := ada.Submit(v, map[string]any{"vitally_url": fake.URL, "vitally_secret": vitallySecret}); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	v.ExpectUpdate("Vitally set-up", "needs attention", "would not let Frontdesk create it", "403", "Request Closed At (datetime)")
	fake.RefuseSchemaChanges(0)
	ada.GlobalShortcut("frontdesk_admin")
	v = ada.ExpectView("Frontdesk settings", "Vitally")
	if ack := ada.Submit(v, map[string]any{"vitally_url": fake.URL}); len(ack.Errors()) > 0 {
		t.Fatalf("refused: %v", ack.Errors())
	}
	v.ExpectUpdate("Vitally set-up", "is set up", "Created the custom object")
	w.sim.DiscardUnexpected()
}

// waitObject waits until the fake has the custom object name with n fields.
func waitObject(t *testing.T, fake *vitallytest.Server, name string, n int) vitallytest.CustomObject {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		objs := fake.CustomObjects()
		if i := slices.IndexFunc(objs, func(o vitallytest.CustomObject) bool { return strings.EqualFold(o.Name, name) }); i >= 0 &&
			len(fake.CustomFields(objs[i].ID)) == n {
			return objs[i]
		}
		if time.Now().After(deadline) {
			t.Fatalf("Vitally never got the object %q with %d fields: %+v", name, n, objs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSync waits until the ticket's Vitally sync status satisfies ok.
func waitSync(t *testing.T, w *world, tk *tickets.Ticket, ok func(tickets.SyncStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		got, err := w.d.Service().Get(context.Background(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s, found := got.Syncs[vitally.Name]; found && ok(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket %s: sync status %+v", tk.ID, got.Syncs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
