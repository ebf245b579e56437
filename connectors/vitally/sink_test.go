package vitally

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/vitally/vitallytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestLinkingTable has one case per row of the linking table in docs/vitally.md.
func TestLinkingTable(t *testing.T) {
	type want struct{ org, account string } // names; "" for none; both "" means no sync
	for _, row := range []struct {
		name        string
		orgs, accts int
		want        want
	}{
		{"single organization, single account", 1, 1, want{"Org 1", "Account 1"}},
		{"single organization, no account", 1, 0, want{"Org 1", ""}},
		{"single organization, multiple accounts", 1, 2, want{"Org 1", ""}},
		{"no organization, single account", 0, 1, want{"", "Account 1"}},
		{"no organization, no account", 0, 0, want{}},
		{"no organization, multiple accounts", 0, 2, want{}},
		{"multiple organizations, single account", 2, 1, want{"Org 2", "Account 1"}},
		{"multiple organizations, no account", 2, 0, want{}},
		{"multiple organizations, multiple accounts", 2, 2, want{}},
	} {
		t.Run(row.name, func(t *testing.T) {
			w := newWorld(t)
			var orgIDs, acctIDs []string
			orgByName := map[string]string{}
			acctByName := map[string]string{}
			for i := range row.orgs {
				o := w.fake.AddOrganization(vitallytest.Organization{ExternalID: "o" + itoa(i+1), Name: "Org " + itoa(i+1)})
				orgIDs = append(orgIDs, o.ID)
				orgByName[o.Name] = o.ID
			}
			for i := range row.accts {
				// Accounts belong to the last Organization, if any.
				a := vitallytest.Account{ExternalID: "a" + itoa(i+1), Name: "Account " + itoa(i+1)}
				if len(orgIDs) > 0 {
					a.OrganizationID = orgIDs[len(orgIDs)-1]
				}
				a = w.fake.AddAccount(a)
				acctIDs = append(acctIDs, a.ID)
				acctByName[a.Name] = a.ID
			}
			w.fake.AddUser(vitallytest.User{ExternalID: "u1", Name: "Carol", Email: "carol@acme.com",
				AccountIDs: acctIDs, OrganizationIDs: orgIDs})
			tk := ticket(135, "Carol@Acme.com")
			w.mustChange(tk, tickets.EventOpened)
			st, _ := w.tk.sync(tk.ID)
			in, ok := w.instance(tk)
			if row.want == (want{}) {
				if ok || st.Synced || st.Reason == "" {
					t.Fatalf("want no sync with a reason; instance %v, status %+v", ok, st)
				}
				if n := len(w.fake.Users()); n != 1 {
					t.Errorf("no sync created users: %d", n)
				}
				return
			}
			if !ok || !st.Synced || st.RemoteID != in.ID {
				t.Fatalf("want synced; instance %v, status %+v", ok, st)
			}
			if in.OrganizationID != orgByName[row.want.org] || in.CustomerID != acctByName[row.want.account] {
				t.Errorf("linked to organization %q, account %q; want %q (%s), %q (%s)", in.OrganizationID, in.CustomerID,
					orgByName[row.want.org], row.want.org, acctByName[row.want.account], row.want.account)
			}
			for _, name := range []string{row.want.org, row.want.account} {
				if !strings.Contains(st.Where, name) {
					t.Errorf("Where = %q, want it to name %q", st.Where, name)
				}
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// An unknown requestor is created in the Account that has users at their email's domain,
// with their name and email, and the ticket is linked there.
func TestUnknownRequestorCreatedByDomain(t *testing.T) {
	w := newWorld(t)
	acct := w.fake.AddAccount(vitallytest.Account{ExternalID: "acme", Name: "Acme"})
	w.fake.AddUser(vitallytest.User{ExternalID: "u-harsh", Name: "Harsh", Email: "harsh@acme.com", AccountIDs: []string{acct.ID}})
	tk := ticket(7, "dana@acme.com")
	tk.Customer.Name = "Dana"
	w.mustChange(tk, tickets.EventOpened)

	var dana *vitallytest.User
	for _, u := range w.fake.Users() {
		if u.Email == "dana@acme.com" {
			dana = &u
		}
	}
	if dana == nil || dana.Name != "Dana" || len(dana.AccountIDs) != 1 || dana.AccountIDs[0] != acct.ID {
		t.Fatalf("created user = %+v", dana)
	}
	in, ok := w.instance(tk)
	if !ok || in.CustomerID != acct.ID {
		t.Fatalf("instance = %+v, %v", in, ok)
	}
	// The same ticket again (a new event): the user is known now, not created twice.
	w.mustChange(tk, tickets.EventPicked)
	if n := len(w.fake.Users()); n != 2 {
		t.Errorf("users = %d, want 2", n)
	}

	// A public email domain never matches by domain.
	w.fake.AddUser(vitallytest.User{ExternalID: "u-g", Email: "someone@gmail.com", AccountIDs: []string{acct.ID}})
	g := ticket(8, "stranger@gmail.com")
	w.mustChange(g, tickets.EventOpened)
	if st, _ := w.tk.sync(g.ID); st.Synced || !strings.Contains(st.Reason, "public email domain") {
		t.Errorf("gmail requestor: %+v", st)
	}
	// No one at the domain: no sync.
	n := ticket(9, "x@nowhere.example")
	w.mustChange(n, tickets.EventOpened)
	if st, _ := w.tk.sync(n.ID); st.Synced || !strings.Contains(st.Reason, "nowhere.example") {
		t.Errorf("unknown domain: %+v", st)
	}
}

func TestNoEmailNoSync(t *testing.T) {
	w := newWorld(t)
	tk := ticket(11, "")
	w.mustChange(tk, tickets.EventOpened)
	st, ok := w.tk.sync(tk.ID)
	if !ok || st.Synced || !strings.Contains(st.Reason, "gave no email") {
		t.Fatalf("status = %+v, %v", st, ok)
	}
	if len(w.fake.Instances(w.obj.ID)) != 0 {
		t.Error("an instance was made")
	}
	// Known by the source's customer id as externalId: synced.
	acct := w.fake.AddAccount(vitallytest.Account{ExternalID: "acme", Name: "Acme"})
	w.fake.AddUser(vitallytest.User{ExternalID: tk.Customer.ID, AccountIDs: []string{acct.ID}})
	w.mustChange(tk, tickets.EventPicked)
	if st, _ := w.tk.sync(tk.ID); !st.Synced {
		t.Errorf("status once known by id = %+v", st)
	}
}

// The trait payload of a closed ticket, every field.
func TestClosedTicketTraits(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	tk := ticket(135, "carol@acme.com")
	tk.Summary = "Billing question"
	tk.Opening = "Hi, I was charged twice"
	w.tk.msgs[tk.ID] = []tickets.Message{
		{ID: "m1", Direction: tickets.FromCustomer, Text: "Hi, I was charged twice", At: t0.Add(time.Minute)},
		{ID: "m2", Direction: tickets.Notice, Text: "You are now chatting with Alice.", At: t0.Add(2 * time.Minute)},
		{ID: "m3", Direction: tickets.FromAgent, Author: alice, Text: "Let me look", At: t0.Add(3 * time.Minute)},
		{ID: "m4", Direction: tickets.Internal, Author: alice, Text: "refund via Stripe", At: t0.Add(4 * time.Minute)},
		{ID: "m5", Direction: tickets.FromCustomer, Text: "thanks", Attachments: []tickets.Attachment{{URL: "https://x/y", Name: "receipt.pdf"}}, At: t0.Add(5 * time.Minute)},
	}
	w.mustChange(tk, tickets.EventOpened)

	tk.Status, tk.Assignee = tickets.StatusClosed, alice
	tk.PickedAt, tk.ClosedAt, tk.UpdatedAt = t0.Add(2*time.Minute), t0.Add(6*time.Minute), t0.Add(7*time.Minute)
	tk.ClosedBy, tk.CloseReason = alice, "resolved"
	// What the service measured (tickets.SLAReport), as the sink gets it.
	tk.Measured = tickets.SLAReport{FirstResponse: 2*time.Minute + 31*time.Second, Responded: true, Resolution: 6 * time.Minute, Resolved: true,
		Breached: []tickets.SLAKind{tickets.SLAFirstResponse, tickets.SLAResolution}}
	tk.Card = tickets.Card{Channel: "C1", TS: "1700000000.000100"}
	tk.CSAT = &tickets.CSAT{Rating: 5, Comment: "fast", At: t0.Add(7 * time.Minute)}
	tk.Title, tk.Urgency, tk.Sentiment = "Charged twice", tickets.UrgencyHigh, tickets.SentimentNegative
	tk.Tags, tk.AITags = []string{"billing", "vip"}, []string{"refund"}
	tk.Categories = map[string]string{"Product": "Marketing Automation"}
	tk.History = []tickets.HistoryLine{{From: tickets.HistoryBot, Text: "How can I help?", At: t0.Add(-2 * time.Minute)},
		{From: tickets.HistoryCustomer, Text: "billing", At: t0.Add(-time.Minute)}}
	w.fake.AddCustomField(vitallytest.CustomField{Label: "Product", Type: "string", CustomObjectID: w.obj.ID})
	w.clock = w.clock.Add(10 * time.Minute) // the sink reads the object's fields again
	w.setVitally(w.savedVitally())
	w.tk.settings.Categories = []tickets.Category{
		{Name: "Product", Values: []string{"Request Management", "Marketing Automation"}},
		{Name: "Region", Values: []string{"EU", "US"}}, // no trait in Vitally yet: Frontdesk adds it
	}
	w.tk.cards[string(tk.ID)+"/"+tickets.IntroCard] = tickets.Card{Channel: "G9", TS: "1700000001.000200"}
	w.mustChange(tk, tickets.EventRated)

	got := w.traitsOf(tk)
	want := map[string]any{
		"AI Tags":     "refund",
		"Assigned To": "Alice",
		"CSAT":        "5/5: fast",
		"Customer Thread": "[2026-11-21 08:58 UTC] Bot (before the hand-off): How can I help?\n[2026-11-21 08:59 UTC] Carol (before the hand-off): billing\n" +
			"[2026-11-21 09:01 UTC] Carol: Hi, I was charged twice\n[2026-11-21 09:02 UTC] Frontdesk: You are now chatting with Alice.\n[2026-11-21 09:03 UTC] Alice: Let me look\n[2026-11-21 09:05 UTC] Carol: thanks [receipt.pdf]",
		"Tags":                               "billing, vip",
		"Internal Thread":                    "[2026-11-21 09:04 UTC] Alice: refund via Stripe",
		"Message Text":                       "Hi, I was charged twice",
		"Permalink":                          "https://acme.slack.com/archives/G9/p1700000001000200",
		"Request Closed At":                  "2026-11-21T09:06:00Z",
		"First Response Minutes":             float64(3),
		"Resolution Minutes":                 float64(6),
		"SLA Breaches":                       "First reply, Resolution",
		"Request Closed By":                  "Alice",
		"Request Created At":                 "2026-11-21T09:01:00Z",
		"Request Internal Notification Link": "https://acme.slack.com/archives/C1/p1700000000000100",
		"Requestor":                          "Carol <carol@acme.com>",
		"Request Updated At":                 "2026-11-21T09:07:00Z",
		"Request Web Link":                   "",
		"Sentiment":                          "Negative",
		"Status":                             "Closed",
		"Summary":                            "Billing question",
		"Request Id":                         float64(135),
		"Title":                              "Charged twice",
		"Urgency":                            "High",
		"Product":                            "Marketing Automation",
		"Region":                             "",
	}
	for label, v := range want {
		if got[label] != v {
			t.Errorf("%s = %#v, want %#v", label, got[label], v)
		}
	}
	if len(got) != len(Traits())+2 {
		t.Errorf("%d traits sent, want %d", len(got), len(Traits())+2)
	}
	if st, _ := w.tk.sync(tk.ID); !st.Synced || st.Reason != "" {
		t.Errorf("status %+v, want synced in full", st)
	}
	in, _ := w.instance(tk)
	if in.Name != "Frontdesk Request ID: 135" {
		t.Errorf("name = %q", in.Name)
	}
	if len(w.fake.Instances(w.obj.ID)) != 1 {
		t.Errorf("instances = %d, want 1", len(w.fake.Instances(w.obj.ID)))
	}
}

func TestForwardOnly(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	old := ticket(1, "carol@acme.com")
	old.CreatedAt = t0.Add(-time.Minute)
	for _, typ := range []tickets.EventType{tickets.EventOpened, tickets.EventPicked, tickets.EventClosed} {
		w.mustChange(old, typ)
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("a ticket opened before the integration made %d requests", n)
	}
	if _, ok := w.tk.sync(old.ID); ok {
		t.Error("a pre-integration ticket got a sync status")
	}
	// Not configured at all: nothing either.
	w.setVitally(Settings{})
	w.mustChange(ticket(2, "carol@acme.com"), tickets.EventOpened)
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("an unconfigured sink made %d requests", n)
	}
}

func TestUpdateToggleOff(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	tk := ticket(3, "carol@acme.com")
	w.mustChange(tk, tickets.EventOpened)
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, PushNew: true, Since: t0, FromPanel: true})
	before := len(w.fake.Requests())
	tk.Status, tk.Assignee = tickets.StatusActive, alice
	w.mustChange(tk, tickets.EventPicked)
	tk.Status = tickets.StatusClosed
	w.mustChange(tk, tickets.EventClosed)
	if n := len(w.fake.Requests()) - before; n != 0 {
		t.Errorf("with updating off, %d requests were made", n)
	}
	if got := w.traitsOf(tk)["Status"]; got != "Pending" {
		t.Errorf("Status in Vitally = %v, want the first sync's Pending", got)
	}
	// Pushing off too: a new ticket is not created.
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, Since: t0, FromPanel: true})
	w.mustChange(ticket(4, "carol@acme.com"), tickets.EventOpened)
	if n := len(w.fake.Instances(w.obj.ID)); n != 1 {
		t.Errorf("instances = %d, want 1", n)
	}
}

func TestSameEventTwiceOneWrite(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	tk := ticket(5, "carol@acme.com")
	ev := event(tk, tickets.EventOpened)
	for range 2 {
		if err := w.change(tk, ev); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.fake.Writes(w.obj.ID); n != 1 {
		t.Errorf("writes = %d, want 1", n)
	}
	// An attempt that created the instance but crashed before recording it: the retry
	// finds it by externalId and updates it, never making a second one.
	tk2 := ticket(6, "carol@acme.com")
	ev2 := event(tk2, tickets.EventOpened)
	if err := w.change(tk2, ev2); err != nil {
		t.Fatal(err)
	}
	tk2.Syncs = nil
	w.tk.mu.Lock()
	delete(w.tk.syncs, tk2.ID)
	w.tk.mu.Unlock()
	if err := w.change(tk2, ev2); err != nil {
		t.Fatal(err)
	}
	if n := len(w.fake.Instances(w.obj.ID)); n != 2 {
		t.Errorf("instances = %d, want 2", n)
	}
}

// A burst of 2,000 updates stays under Vitally's rate limit (here 1000 a second, so the
// test is quick) and every one arrives.
func TestBurstStaysUnderRateLimit(t *testing.T) {
	w := newWorld(t)
	const limit = 1000
	w.fake.SetRateLimit(limit, time.Second)
	w.carolAtAcme()
	const nTickets, perTicket = 20, 100
	tks := make([]*tickets.Ticket, nTickets)
	for i := range tks {
		tks[i] = ticket(int64(100+i), "carol@acme.com")
		w.mustChange(tks[i], tickets.EventOpened)
	}
	start := w.fake.Writes(w.obj.ID)
	var wg sync.WaitGroup
	errs := make(chan error, nTickets)
	for _, tk := range tks {
		wg.Go(func() {
			for i := range perTicket {
				ev := event(tk, tickets.EventPicked)
				ev.ID = string(tk.ID) + "-" + itoa3(i)
				for {
					err := w.change(tk, ev)
					if d, ok := tickets.RetryAfter(err); ok {
						time.Sleep(d) // what the outbox would do
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := w.fake.Writes(w.obj.ID) - start; n != nTickets*perTicket {
		t.Errorf("writes = %d, want %d", n, nTickets*perTicket)
	}
	if n := w.fake.TooMany(); n != 0 {
		t.Errorf("Vitally answered 429 %d times", n)
	}
	if n := w.fake.MaxInWindow(); n > limit {
		t.Errorf("the window held %d requests, over the limit %d", n, limit)
	}
}

func itoa3(i int) string {
	return string([]byte{byte('0' + i/100), byte('0' + i/10%10), byte('0' + i%10)})
}

// 429s, outages and a rolled secret are retried by the outbox; nothing is recorded as
// given up.
func TestTroubleIsRetried(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	tk := ticket(21, "carol@acme.com")
	ev := event(tk, tickets.EventOpened)

	w.fake.ForceTooMany(1)
	err := w.change(tk, ev)
	if d, ok := tickets.RetryAfter(err); !ok || d < time.Second {
		t.Fatalf("429: %v", err)
	}
	w.fake.SetDown(503)
	if err := w.change(tk, ev); err == nil || tickets.IsPermanent(err) {
		t.Fatalf("503: %v", err)
	}
	w.fake.SetDown(0)
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: "rolled", PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	if _, ok := tickets.RetryAfter(w.change(tk, ev)); !ok {
		t.Fatal("401 is not retried later")
	}
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	if err := w.change(tk, ev); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.instance(tk); !ok {
		t.Fatal("not synced once Vitally was back")
	}
	// No error text leaks the base URL.
	w.fake.Close()
	err = w.change(tk, event(tk, tickets.EventPicked))
	if err == nil || strings.Contains(err.Error(), w.fake.URL) {
		t.Errorf("error with Vitally gone = %v", err)
	}
}

// When Vitally refuses to create them, a trait missing in Vitally is left out and
// reported on the ticket, not silently dropped, and a missing custom object is a no-sync.
func TestMissingTraitsAndObjectRefused(t *testing.T) {
	w := newWorld(t)
	w.fake.RefuseSchemaChanges(http.StatusForbidden)
	other := w.fake.AddCustomObject("Other")
	w.fake.AddCustomField(vitallytest.CustomField{Label: "Status", Type: "string", CustomObjectID: other.ID})
	w.carolAtAcme()
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, Object: "Other", PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	tk := ticket(31, "carol@acme.com")
	w.mustChange(tk, tickets.EventOpened)
	st, _ := w.tk.sync(tk.ID)
	if !st.Synced || !strings.Contains(st.Reason, "Request Created At") || strings.Contains(st.Reason, "Status,") {
		t.Errorf("status = %+v", st)
	}
	// The refusal is remembered: the next ticket does not ask again.
	puts := w.fake.Count(http.MethodPut, "/resources/customObjects/"+other.ID)
	w.mustChange(ticket(33, "carol@acme.com"), tickets.EventOpened)
	if n := w.fake.Count(http.MethodPut, "/resources/customObjects/"+other.ID); n != puts || puts != 1 {
		t.Errorf("asked Vitally to add the traits %d times, then %d", puts, n)
	}
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, Object: "Nope", PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	tk2 := ticket(32, "carol@acme.com")
	w.mustChange(tk2, tickets.EventOpened)
	if st, _ := w.tk.sync(tk2.ID); st.Synced || !strings.Contains(st.Reason, `"Nope"`) || !strings.Contains(st.Reason, "403") {
		t.Errorf("status = %+v", st)
	}
}

// A Vitally where nothing was created beforehand: the first sync creates the custom
// object with every trait, and the ticket is synced in full.
func TestCreatesObjectAndTraits(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, Object: "Support Requests", PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	w.tk.settings.Categories = []tickets.Category{{Name: "Product", Values: []string{"A", "B"}}}
	tk := ticket(51, "carol@acme.com")
	w.mustChange(tk, tickets.EventOpened)
	var obj vitallytest.CustomObject
	for _, o := range w.fake.CustomObjects() {
		if o.Name == "Support Requests" {
			obj = o
		}
	}
	if obj.ID == "" || obj.Label != "Support Requests" || obj.WriteMode != "writable" {
		t.Fatalf("objects %+v", w.fake.CustomObjects())
	}
	fields := w.fake.CustomFields(obj.ID)
	if len(fields) != len(Traits())+1 {
		t.Errorf("%d fields, want %d", len(fields), len(Traits())+1)
	}
	for _, tr := range append(Traits(), Trait{"Product", "string"}) {
		if !slices.ContainsFunc(fields, func(f vitallytest.CustomField) bool { return f.Label == tr.Label && f.Type == tr.Type }) {
			t.Errorf("no field %s (%s)", tr.Label, tr.Type)
		}
	}
	in, ok := w.fake.InstanceByExternalID(obj.ID, externalID(tk))
	if !ok {
		t.Fatal("no instance")
	}
	if tr := w.fake.TraitsByLabel(in); tr["Status"] != "Pending" || tr["Request Id"] != float64(51) {
		t.Errorf("traits %v", tr)
	}
	if st, _ := w.tk.sync(tk.ID); !st.Synced || st.Reason != "" {
		t.Errorf("status %+v", st)
	}
	// A category added later gets its trait at the next sync; the others are kept.
	w.tk.mu.Lock()
	w.tk.settings.Categories = append(w.tk.settings.Categories, tickets.Category{Name: "Region", Values: []string{"EU"}})
	w.tk.mu.Unlock()
	w.clock = w.clock.Add(settingsTTL)
	tk.Categories = map[string]string{"Region": "EU"}
	w.mustChange(tk, tickets.EventPicked)
	fields = w.fake.CustomFields(obj.ID)
	if len(fields) != len(Traits())+2 {
		t.Errorf("%d fields after a new category, want %d", len(fields), len(Traits())+2)
	}
	in, _ = w.fake.InstanceByExternalID(obj.ID, externalID(tk))
	if tr := w.fake.TraitsByLabel(in); tr["Region"] != "EU" || tr["Status"] != "Pending" {
		t.Errorf("traits %v", tr)
	}
	creates := 0
	for _, r := range w.fake.Requests() {
		if r.Method == http.MethodPost && r.Path == "/resources/customObjects" {
			creates++
		}
	}
	if creates != 1 {
		t.Errorf("%d creates of objects", creates)
	}
}

// An object an admin made by hand with some traits: the missing ones are added, the
// existing ones kept with their paths.
func TestAddsMissingTraits(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	hand := w.fake.AddCustomObject("Hand Made")
	status := w.fake.AddCustomField(vitallytest.CustomField{Label: "status", Type: "string", Path: "vitally.custom.myStatus", CustomObjectID: hand.ID})
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, Object: "hand made", PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	tk := ticket(61, "carol@acme.com")
	w.mustChange(tk, tickets.EventOpened)
	fields := w.fake.CustomFields(hand.ID)
	if len(fields) != len(Traits()) || !slices.Contains(fields, status) {
		t.Errorf("fields %+v", fields)
	}
	in, _ := w.fake.InstanceByExternalID(hand.ID, externalID(tk))
	if in.Traits["vitally.custom.myStatus"] != "Pending" {
		t.Errorf("traits %v", in.Traits)
	}
	if n := len(w.fake.CustomObjects()); n != 2 {
		t.Errorf("%d objects", n)
	}
}

// Two objects of the configured name (two processes created it at once): every sync
// uses the one created first.
func TestTwinObjectsUseTheFirst(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	w.fake.AddCustomObject(DefaultObject) // a later twin, without fields
	tk := ticket(71, "carol@acme.com")
	w.mustChange(tk, tickets.EventOpened)
	if _, ok := w.instance(tk); !ok {
		t.Fatal("not written to the first object")
	}
	st, _ := w.tk.LoadSettings(context.Background())
	r := w.sink.CheckSetup(context.Background(), st)
	if r.OK() || !strings.Contains(strings.Join(r.Problems, " "), "1 more custom objects") {
		t.Errorf("report %+v", r)
	}
}

// The environment's URL and secret win; until an admin saves the panel, the environment
// alone pushes and updates from its Since.
func TestEnvironmentSetup(t *testing.T) {
	w := newWorld(t)
	w.tk.settings = nil
	var marked []string
	mark := func(_ context.Context, name string, now time.Time) (time.Time, error) {
		marked = append(marked, name+" "+now.Format(time.RFC3339))
		return t0, nil // this Redis saw the environment's set-up first at t0
	}
	env := Config{APIURL: w.fake.URL + "/", Secret: "Basic " + basic(secret)}
	sink, err := newSink(env, Deps{Store: w.tk, Mark: mark}, options{now: func() time.Time { return w.clock }})
	if err != nil {
		t.Fatal(err)
	}
	created := w.clock
	w.carolAtAcme()
	tk := ticket(41, "carol@acme.com")
	if err := sink.TicketChanged(context.Background(), tk, event(tk, tickets.EventOpened), ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.instance(tk); !ok {
		t.Fatal("not synced from the environment's set-up")
	}
	// An admin switched pushing off in the panel: it counts.
	w.setVitally(Settings{FromPanel: true, UpdateExisting: true, Since: t0})
	tk2 := ticket(42, "carol@acme.com")
	if err := sink.TicketChanged(context.Background(), tk2, event(tk2, tickets.EventOpened), ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.instance(tk2); ok {
		t.Error("pushed although the panel switched pushing off")
	}
	// The mark is read once, and records when the Sink was made.
	if want := "vitally.env.since " + created.Format(time.RFC3339); len(marked) != 1 || marked[0] != want {
		t.Errorf("marked %q, want [%s]", marked, want)
	}
	if _, err := New(Config{APIURL: "not a url", Secret: secret}, Deps{Store: w.tk, Mark: mark}); err == nil ||
		!strings.HasPrefix(err.Error(), "VITALLY_API_URL: ") {
		t.Errorf("New took a bad VITALLY_API_URL: %v", err)
	}
	if _, err := New(env, Deps{Store: w.tk}); err == nil {
		t.Error("New took an environment set-up without Mark")
	}
	if _, err := New(Config{}, Deps{}); err == nil {
		t.Error("New without Store")
	}
}

func TestCheckSetup(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	st, _ := w.tk.LoadSettings(ctx)
	r := w.sink.CheckSetup(ctx, st)
	if !r.Configured || !r.OK() || len(r.Found) != 3 {
		t.Fatalf("complete set-up: %+v", r)
	}
	// Missing traits are added and said; a trait of another type is named.
	bare := w.fake.AddCustomObject("Bare")
	w.fake.AddCustomField(vitallytest.CustomField{Label: "Status", Type: "number", CustomObjectID: bare.ID})
	editVitally(t, st, func(v *Settings) { v.Object = "bare" })
	r = w.sink.CheckSetup(ctx, st)
	found := strings.Join(r.Found, " ")
	if !strings.Contains(found, "Added 23 traits") || !strings.Contains(found, "Request Closed At (datetime)") ||
		!strings.Contains(strings.Join(r.Problems, " "), "Status is number, should be string") {
		t.Errorf("bare object: %+v", r)
	}
	if len(w.fake.CustomFields(bare.ID)) != len(Traits()) {
		t.Errorf("fields %+v", w.fake.CustomFields(bare.ID))
	}
	// A missing object is created.
	editVitally(t, st, func(v *Settings) { v.Object = "Missing" })
	if r = w.sink.CheckSetup(ctx, st); !r.OK() || !strings.Contains(strings.Join(r.Found, " "), `Created the custom object "Missing"`) {
		t.Errorf("missing object: %+v", r)
	}
	// Vitally refuses: the admin is told exactly what to create.
	w.fake.RefuseSchemaChanges(http.StatusForbidden)
	editVitally(t, st, func(v *Settings) { v.Object = "Refused" })
	if r = w.sink.CheckSetup(ctx, st); r.OK() || !strings.Contains(r.Problems[0], `no custom object named "Refused"`) ||
		!strings.Contains(r.Problems[0], "403") || !strings.Contains(r.Problems[0], "Request Closed At (datetime)") {
		t.Errorf("refused object: %+v", r.Problems)
	}
	half := w.fake.AddCustomObject("Half")
	w.fake.AddCustomField(vitallytest.CustomField{Label: "Status", Type: "string", CustomObjectID: half.ID})
	editVitally(t, st, func(v *Settings) { v.Object = "Half" })
	if r = w.sink.CheckSetup(ctx, st); r.OK() || !strings.Contains(r.Problems[0], "lacks 23 traits") ||
		!strings.Contains(r.Problems[0], "Request Closed At (datetime)") || strings.Contains(r.Problems[0], "Status (") {
		t.Errorf("refused traits: %+v", r.Problems)
	}
	editVitally(t, st, func(v *Settings) { v.Secret = "wrong" })
	if r = w.sink.CheckSetup(ctx, st); r.OK() || !strings.Contains(r.Problems[0], "refused the secret") {
		t.Errorf("wrong secret: %+v", r.Problems)
	}
	if r = w.sink.CheckSetup(ctx, &tickets.Settings{}); r.Configured {
		t.Errorf("unconfigured: %+v", r)
	}
}

func TestAuthHeader(t *testing.T) {
	want := "Basic " + basic(secret)
	for _, in := range []string{secret, " " + secret + " ", want, "basic " + basic(secret)} {
		if got := authHeader(in); got != want {
			t.Errorf("authHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

// basic is the Basic credentials Vitally's docs describe: the secret as user name, no
// password.
func basic(s string) string { return base64.StdEncoding.EncodeToString([]byte(s + ":")) }

// Every sync's outcome is told to Config.Observe with a reason from the fixed set.
func TestObserve(t *testing.T) {
	w := newWorld(t)
	w.carolAtAcme()
	synced := ticket(41, "carol@acme.com")
	w.mustChange(synced, tickets.EventOpened)
	ev := event(synced, tickets.EventPicked)
	for range 2 {
		if err := w.change(synced, ev); err != nil {
			t.Fatal(err)
		}
	}
	w.mustChange(ticket(42, ""), tickets.EventOpened)
	w.mustChange(ticket(43, "someone@gmail.com"), tickets.EventOpened)
	w.mustChange(ticket(44, "x@nowhere.example"), tickets.EventOpened)
	w.fake.AddUser(vitallytest.User{ExternalID: "u-lone", Email: "lone@acme.com"})
	w.mustChange(ticket(45, "lone@acme.com"), tickets.EventOpened)
	old := ticket(46, "carol@acme.com")
	old.CreatedAt = t0.Add(-time.Minute)
	w.mustChange(old, tickets.EventOpened)
	w.mustChange(synced, tickets.EventMessage) // not an event the sink acts on: not told
	w.fake.RefuseSchemaChanges(http.StatusForbidden)
	w.setVitally(Settings{APIURL: w.fake.URL, Secret: secret, Object: "Nope", PushNew: true, UpdateExisting: true, Since: t0, FromPanel: true})
	w.mustChange(ticket(47, "carol@acme.com"), tickets.EventOpened)
	w.setVitally(Settings{})
	w.mustChange(ticket(48, "carol@acme.com"), tickets.EventOpened)
	want := []string{
		Synced + "/", Synced + "/", Skipped + "/" + ReasonRepeat,
		NotSynced + "/" + ReasonNoEmail, NotSynced + "/" + ReasonPublicDomain, NotSynced + "/" + ReasonUnknownUser,
		NotSynced + "/" + ReasonNoOrgOrAccount, Skipped + "/" + ReasonBeforeSince, NotSynced + "/" + ReasonNoObject,
		Skipped + "/" + ReasonNotConfigured,
	}
	if got := w.outcomes(); !slices.Equal(got, want) {
		t.Errorf("observed\n %q\nwant\n %q", got, want)
	}
}

// The Customer Thread shows a message as it now is: an edit marked, a deletion said.
func TestThreadShowsChanges(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 1, 0, 0, time.UTC)
	tk := &tickets.Ticket{Customer: tickets.Customer{Name: "Carol"}}
	got := thread([]tickets.Message{
		{Direction: tickets.FromCustomer, Text: "my password", EditedAt: at.Add(time.Minute), At: at},
		{Direction: tickets.FromCustomer, Deleted: true, At: at.Add(2 * time.Minute)},
	}, tk, false)
	want := "[2026-11-21 09:01 UTC] Carol: my password (edited)\n[2026-11-21 09:03 UTC] Carol: (deleted where it was written)"
	if got != want {
		t.Errorf("thread:\n%v\nwant\n%s", got, want)
	}
}

// A customer channel's request (tickets.Ticket.InThread): its requester's email is hidden
// (Slack Connect shows partners only a name and a photo by default), so the domain the
// channel maps to links it, and no Vitally user is made; its Permalink is the customer's
// message that began it, in the channel; its Internal Thread the team's notes.
func TestCustomerChannelRequest(t *testing.T) {
	w := newWorld(t)
	acct := w.fake.AddAccount(vitallytest.Account{ExternalID: "acme", Name: "Acme"})
	w.fake.AddUser(vitallytest.User{ExternalID: "u-harsh", Name: "Harsh", Email: "harsh@acme.com", AccountIDs: []string{acct.ID}})
	tk := ticket(21, "")
	tk.Source, tk.ConversationID = tickets.SourceSlack, "C0ACME/1700000000.000100"
	tk.Customer = tickets.Customer{ID: "UDANA", Name: "Dana", Fields: map[string]string{
		tickets.CustomerOrganisation: "Acme Corp", tickets.CustomerDomain: "acme.com"}}
	w.tk.msgs[tk.ID] = []tickets.Message{
		{ID: "m1", Direction: tickets.FromCustomer, Text: "Our export fails", At: t0.Add(time.Minute)},
		{ID: "m2", Direction: tickets.FromAgent, Author: alice, Text: "Looking", At: t0.Add(2 * time.Minute)},
		{ID: "m3", Direction: tickets.Internal, Author: alice, Text: "a known bug", At: t0.Add(3 * time.Minute)},
	}
	w.mustChange(tk, tickets.EventOpened)
	in, ok := w.instance(tk)
	if !ok || in.CustomerID != acct.ID {
		t.Fatalf("instance = %+v, %v; want linked to %s by acme.com", in, ok, acct.ID)
	}
	if n := len(w.fake.Users()); n != 1 {
		t.Errorf("%d Vitally users, want 1: a requester without an email is not made one", n)
	}
	got := w.traitsOf(tk)
	for label, want := range map[string]any{
		"Permalink":       "https://acme.slack.com/archives/C0ACME/p1700000000000100",
		"Customer Thread": "[2026-11-21 09:01 UTC] Dana: Our export fails\n[2026-11-21 09:02 UTC] Alice: Looking",
		"Internal Thread": "[2026-11-21 09:03 UTC] Alice: a known bug",
	} {
		if got[label] != want {
			t.Errorf("%s = %#v, want %#v", label, got[label], want)
		}
	}
	// A public domain links nothing.
	g := ticket(22, "")
	g.Customer.Fields = map[string]string{tickets.CustomerDomain: "gmail.com"}
	w.mustChange(g, tickets.EventOpened)
	if st, _ := w.tk.sync(g.ID); st.Synced || !strings.Contains(st.Reason, "public email domain") {
		t.Errorf("a public domain: %+v", st)
	}
}
