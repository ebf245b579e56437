package vitallytest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// usersPage is the answer of the users routes.
type usersPage struct {
	Results []User  `json:"results"`
	Next    *string `json:"next"`
}

// ids returns the ids of users.
func ids(users []User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func TestSearchUsers(t *testing.T) {
	f := newFixture(t)
	ann := f.s.AddUser(User{ExternalID: "ann", Email: "Ann@Example.com", AccountIDs: []string{f.acc.ID}})
	bob := f.s.AddUser(User{ExternalID: "bob", Email: "bob@example.COM", OrganizationIDs: []string{f.org.ID}})
	cat := f.s.AddUser(User{ExternalID: "cat", Email: "cat@sub.example.com", AccountIDs: []string{f.loneAcc.ID}})

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"email=ann%40example.com", []string{ann.ID}},
		{"email=ANN%40EXAMPLE.COM", []string{ann.ID}},
		{"email=nobody%40example.com", []string{}},
		{"externalId=bob", []string{bob.ID}},
		{"externalId=BOB", []string{}},
		{"emailSubdomain=Example.com", []string{ann.ID, bob.ID}},
		{"emailSubdomain=sub.example.com", []string{cat.ID}},
		{"emailSubdomain=ample.com", []string{}},
	} {
		r := call(t, f.s, http.MethodGet, "/resources/users/search?"+tc.query, nil)
		wantStatus(t, r, http.StatusOK)
		var page usersPage
		r.decode(t, &page)
		if page.Results == nil {
			t.Errorf("%s: results %s, want an array", tc.query, r.body)
		}
		if got := ids(page.Results); !slices.Equal(got, tc.want) {
			t.Errorf("%s: users %v, want %v", tc.query, got, tc.want)
		}
	}

	for _, query := range []string{"", "limit=5", "email=a%40b.c&externalId=x", "email=", "emailSubdomain=%40example.com",
		"email=a%40b.c&email=d%40e.f"} {
		r := call(t, f.s, http.MethodGet, "/resources/users/search?"+query, nil)
		if r.status != http.StatusBadRequest || r.message(t) == "" {
			t.Errorf("%q: %d %s, want 400 with a message", query, r.status, r.body)
		}
	}
}

func TestCreateUser(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, body, message string
	}{
		{"malformed", `{"externalId":`, "malformed JSON"},
		{"not an object", `[]`, "malformed JSON"},
		{"two values", `{"externalId":"u","accountIds":["acc_1"]} {}`, "malformed JSON"},
		{"no externalId", `{"accountIds":["acc_1"]}`, "externalId"},
		{"no links", `{"externalId":"u","accountIds":[],"organizationIds":[]}`, "accountIds or organizationIds"},
		{"unknown account", `{"externalId":"u","accountIds":["acc_9"]}`, `unknown account id "acc_9"`},
		{"account externalId", `{"externalId":"u","accountIds":["acc-ext"]}`, `unknown account id "acc-ext"`},
		{"unknown organization", `{"externalId":"u","organizationIds":["org_9"]}`, `unknown organization id "org_9"`},
	} {
		r := call(t, f.s, http.MethodPost, "/resources/users", tc.body)
		if r.status != http.StatusBadRequest || !strings.Contains(r.message(t), tc.message) {
			t.Errorf("%s: %d %s, want 400 mentioning %q", tc.name, r.status, r.body, tc.message)
		}
	}
	if len(f.s.Users()) != 0 {
		t.Fatal("a rejected request created a user")
	}

	body := map[string]any{"externalId": "u1", "name": "Ann", "email": "ann@example.com",
		"accountIds": []string{f.acc.ID}, "organizationIds": []string{f.org.ID}, "traits": map[string]any{"plan": "pro"}}
	r := call(t, f.s, http.MethodPost, "/resources/users", body)
	wantStatus(t, r, http.StatusOK)
	var u User
	r.decode(t, &u)
	want := User{ID: "usr_1", ExternalID: "u1", Name: "Ann", Email: "ann@example.com", AccountIDs: []string{f.acc.ID},
		OrganizationIDs: []string{f.org.ID}, Traits: map[string]any{"plan": "pro"}, CreatedAt: f.clock.Now()}
	if !sameUser(u, want) {
		t.Errorf("created %+v, want %+v", u, want)
	}
	if users := f.s.Users(); len(users) != 1 || !sameUser(users[0], want) {
		t.Errorf("Users() = %+v", users)
	}

	r = call(t, f.s, http.MethodPost, "/resources/users", map[string]any{"externalId": "u1", "accountIds": []string{f.loneAcc.ID}})
	wantStatus(t, r, http.StatusConflict)
	if len(f.s.Users()) != 1 {
		t.Error("a conflicting request created a user")
	}
}

// sameUser reports whether a and b are equal.
func sameUser(a, b User) bool {
	return a.ID == b.ID && a.ExternalID == b.ExternalID && a.Name == b.Name && a.Email == b.Email &&
		slices.Equal(a.AccountIDs, b.AccountIDs) && slices.Equal(a.OrganizationIDs, b.OrganizationIDs) &&
		fmt.Sprint(a.Traits) == fmt.Sprint(b.Traits) && a.CreatedAt.Equal(b.CreatedAt)
}

func TestUsersAreCopies(t *testing.T) {
	f := newFixture(t)
	links := []string{f.acc.ID}
	f.s.AddUser(User{ExternalID: "u", AccountIDs: links, Traits: map[string]any{"tags": []any{"a"}}})
	links[0] = "changed"
	u := f.s.Users()[0]
	u.Traits["tags"].([]any)[0] = "changed"
	u = f.s.Users()[0]
	if u.AccountIDs[0] != f.acc.ID || u.Traits["tags"].([]any)[0] != "a" {
		t.Errorf("the server's user was changed through copies: %+v", u)
	}
}

func TestGetAccountAndOrganization(t *testing.T) {
	f := newFixture(t)
	for _, key := range []string{f.acc.ID, f.acc.ExternalID} {
		r := call(t, f.s, http.MethodGet, "/resources/accounts/"+key, nil)
		wantStatus(t, r, http.StatusOK)
		var a Account
		r.decode(t, &a)
		if a.ID != f.acc.ID || a.OrganizationID != f.org.ID || a.Name != "Acme" || a.Traits == nil {
			t.Errorf("account %s: %s", key, r.body)
		}
	}
	for _, key := range []string{f.org.ID, f.org.ExternalID} {
		r := call(t, f.s, http.MethodGet, "/resources/organizations/"+key, nil)
		wantStatus(t, r, http.StatusOK)
		var o Organization
		r.decode(t, &o)
		if o.ID != f.org.ID || o.ExternalID != "org-ext" || o.Name != "Acme Group" {
			t.Errorf("organization %s: %s", key, r.body)
		}
	}
	wantStatus(t, call(t, f.s, http.MethodGet, "/resources/accounts/nope", nil), http.StatusNotFound)
	wantStatus(t, call(t, f.s, http.MethodGet, "/resources/organizations/"+f.acc.ID, nil), http.StatusNotFound)
}

func TestLinkedUsers(t *testing.T) {
	f := newFixture(t)
	var accUsers []string
	for i := range 105 {
		u := f.s.AddUser(User{ExternalID: fmt.Sprint("u", i), AccountIDs: []string{f.acc.ID}})
		accUsers = append(accUsers, u.ID)
	}
	orgUser := f.s.AddUser(User{ExternalID: "o", OrganizationIDs: []string{f.org.ID}})

	var got []string
	path := "/resources/accounts/acc-ext/users"
	for pages := 0; ; pages++ {
		r := call(t, f.s, http.MethodGet, path, nil)
		wantStatus(t, r, http.StatusOK)
		var page usersPage
		r.decode(t, &page)
		got = append(got, ids(page.Results)...)
		if page.Next == nil {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
		path = "/resources/accounts/acc-ext/users?from=" + url.QueryEscape(*page.Next)
	}
	if !slices.Equal(got, accUsers) {
		t.Errorf("account users %v, want %v", got, accUsers)
	}

	r := call(t, f.s, http.MethodGet, "/resources/organizations/"+f.org.ID+"/users", nil)
	wantStatus(t, r, http.StatusOK)
	var page usersPage
	r.decode(t, &page)
	if got := ids(page.Results); !slices.Equal(got, []string{orgUser.ID}) || page.Next != nil {
		t.Errorf("organization users %s", r.body)
	}
	r = call(t, f.s, http.MethodGet, "/resources/accounts/"+f.loneAcc.ID+"/users", nil)
	if !strings.Contains(string(r.body), `"results":[]`) || !strings.Contains(string(r.body), `"next":null`) {
		t.Errorf("no users: %s", r.body)
	}
	wantStatus(t, call(t, f.s, http.MethodGet, "/resources/accounts/nope/users", nil), http.StatusNotFound)
}

func TestAddCustomFieldDefaults(t *testing.T) {
	f := newFixture(t)
	fl := f.s.AddCustomField(CustomField{Label: "First response (min)", Type: TypeNumber, CustomObjectID: f.tickets.ID})
	want := CustomField{ID: "fld_6", Label: "First response (min)", Path: "vitally.custom.firstResponseMin",
		Type: TypeNumber, Model: ModelCustomObjects, CustomObjectID: f.tickets.ID, CreatedAt: f.clock.Now()}
	if fl != want {
		t.Errorf("AddCustomField = %+v, want %+v", fl, want)
	}
	for label, want := range map[string]string{"Request Closed At": "requestClosedAt", "NPS score": "npsScore",
		"  spaced--out  ": "spacedOut", "": ""} {
		if got := lowerCamel(label); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", label, got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("AddCustomField with an unknown type did not panic")
		}
	}()
	f.s.AddCustomField(CustomField{Label: "Bad", Type: "color", CustomObjectID: f.tickets.ID})
}

// instancesPath is the path of the instances of obj.
func instancesPath(obj CustomObject) string {
	return "/resources/customObjects/" + obj.ID + "/instances"
}

func TestInstances(t *testing.T) {
	f := newFixture(t)
	path := instancesPath(f.tickets)
	body := map[string]any{"name": "Ticket 1", "externalId": "t-1", "customerId": f.acc.ID,
		"traits": map[string]any{"vitally.custom.subject": "Late order", "vitally.custom.messages": 2,
			"vitally.custom.escalated": false, "vitally.custom.transcript": nil}}
	r := call(t, f.s, http.MethodPost, path, body)
	wantStatus(t, r, http.StatusOK)
	var in Instance
	r.decode(t, &in)
	created := f.clock.Now()
	if in.ID != "ins_1" || in.CustomObjectID != f.tickets.ID || in.Name != "Ticket 1" || in.ExternalID != "t-1" ||
		in.CustomerID != f.acc.ID || in.OrganizationID != "" || !in.CreatedAt.Equal(created) || !in.UpdatedAt.Equal(created) {
		t.Errorf("created %s", r.body)
	}
	wantTraits(t, in.Traits, map[string]any{"vitally.custom.subject": "Late order", "vitally.custom.messages": 2.0,
		"vitally.custom.escalated": false})

	r = call(t, f.s, http.MethodPost, path, map[string]any{"externalId": "t-1", "customerId": f.loneAcc.ID})
	wantStatus(t, r, http.StatusConflict)
	r = call(t, f.s, http.MethodPost, instancesPath(f.otherObj), map[string]any{"externalId": "t-1", "organizationId": f.org.ID})
	wantStatus(t, r, http.StatusOK) // externalIds are unique within one custom object only

	for _, query := range []string{"externalId=t-1", "id=ins_1", "customerId=" + f.acc.ID} {
		r := call(t, f.s, http.MethodGet, path+"/search?"+query, nil)
		wantStatus(t, r, http.StatusOK)
		var found Instance
		r.decode(t, &found)
		if found.ID != in.ID {
			t.Errorf("%s: found %s", query, r.body)
		}
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{path + "/search?externalId=t-2", http.StatusNotFound},
		{path + "/search?organizationId=" + f.org.ID, http.StatusNotFound},
		{path + "/search", http.StatusBadRequest},
		{path + "/search?externalId=", http.StatusBadRequest},
		{path + "/search?externalId=t-1&id=ins_1", http.StatusBadRequest},
		{"/resources/customObjects/obj_9/instances/search?externalId=t-1", http.StatusNotFound},
	} {
		if r := call(t, f.s, http.MethodGet, tc.path, nil); r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.path, r.status, r.body, tc.want)
		}
	}

	f.clock.Advance(time.Hour)
	r = call(t, f.s, http.MethodPut, path+"/"+in.ID, map[string]any{"traits": map[string]any{
		"vitally.custom.messages": 3, "vitally.custom.escalated": nil,
		"vitally.custom.requestClosedAt": "2026-03-01T13:00:00Z"}})
	wantStatus(t, r, http.StatusOK)
	var updated Instance
	r.decode(t, &updated)
	if updated.Name != "Ticket 1" || !updated.UpdatedAt.Equal(f.clock.Now()) || !updated.CreatedAt.Equal(created) {
		t.Errorf("updated %s", r.body)
	}
	wantTraits(t, updated.Traits, map[string]any{"vitally.custom.subject": "Late order", "vitally.custom.messages": 3.0,
		"vitally.custom.requestClosedAt": "2026-03-01T13:00:00Z"})

	wantStatus(t, call(t, f.s, http.MethodPut, path+"/"+in.ID, `{"name":"Renamed"}`), http.StatusOK)
	stored, ok := f.s.InstanceByExternalID(f.tickets.ID, "t-1")
	if !ok || stored.Name != "Renamed" || len(stored.Traits) != 3 {
		t.Errorf("InstanceByExternalID = %+v, %v", stored, ok)
	}
	if _, ok := f.s.InstanceByExternalID(f.tickets.ID, "t-2"); ok {
		t.Error("InstanceByExternalID found a missing instance")
	}

	wantStatus(t, call(t, f.s, http.MethodPut, path+"/ins_9", `{"name":"x"}`), http.StatusNotFound)
	wantStatus(t, call(t, f.s, http.MethodPut, instancesPath(f.otherObj)+"/"+in.ID, `{"name":"x"}`), http.StatusNotFound)
	wantStatus(t, call(t, f.s, http.MethodPut, path+"/"+in.ID, `{"name":`), http.StatusBadRequest)
	wantStatus(t, call(t, f.s, http.MethodPost, "/resources/customObjects/obj_9/instances", body), http.StatusNotFound)

	if got := f.s.Writes(f.tickets.ID); got != 3 {
		t.Errorf("Writes(tickets) = %d, want 3", got)
	}
	if got := f.s.Writes(f.otherObj.ID); got != 1 {
		t.Errorf("Writes(other) = %d, want 1", got)
	}
	if got := f.s.Instances(f.tickets.ID); len(got) != 1 || got[0].Name != "Renamed" {
		t.Errorf("Instances() = %+v", got)
	}
}

// wantTraits checks traits against want.
func wantTraits(t *testing.T, traits, want map[string]any) {
	t.Helper()
	if len(traits) != len(want) {
		t.Errorf("traits %v, want %v", traits, want)
		return
	}
	for k, v := range want {
		if got, ok := traits[k]; !ok || got != v {
			t.Errorf("trait %s = %v, want %v", k, got, v)
		}
	}
}

func TestAddInstance(t *testing.T) {
	f := newFixture(t)
	in := f.s.AddInstance(Instance{CustomObjectID: f.tickets.ID, ExternalID: "seeded", CustomerID: f.acc.ID})
	if in.ID != "ins_1" || in.Traits == nil || in.CreatedAt.IsZero() {
		t.Errorf("AddInstance = %+v", in)
	}
	r := call(t, f.s, http.MethodPost, instancesPath(f.tickets), map[string]any{"externalId": "seeded", "customerId": f.acc.ID})
	wantStatus(t, r, http.StatusConflict)
	r = call(t, f.s, http.MethodPost, instancesPath(f.tickets), map[string]any{"externalId": "new", "customerId": f.acc.ID})
	wantStatus(t, r, http.StatusOK)
	var created Instance
	r.decode(t, &created)
	if created.ID != "ins_2" {
		t.Errorf("id %q, want ins_2", created.ID)
	}
}

func TestTraitValidation(t *testing.T) {
	f := newFixture(t)
	path := instancesPath(f.tickets)
	existing := f.s.AddInstance(Instance{CustomObjectID: f.tickets.ID, ExternalID: "t-0", CustomerID: f.acc.ID})
	for _, tc := range []struct {
		name, key string
		value     any
		message   string // empty when the value is right
	}{
		{"unknown key", "vitally.custom.priority", "high", "unknown trait vitally.custom.priority"},
		{"unprefixed key", "subject", "x", "unknown trait subject"},
		{"string as number", "vitally.custom.subject", 5, "must be a string"},
		{"textarea as bool", "vitally.custom.transcript", true, "must be a textarea"},
		{"datetime not RFC 3339", "vitally.custom.requestClosedAt", "2026-03-01 13:00", "must be a datetime"},
		{"datetime as number", "vitally.custom.requestClosedAt", 1700000000, "must be a datetime"},
		{"number as string", "vitally.custom.messages", "3", "must be a number"},
		{"boolean as string", "vitally.custom.escalated", "true", "must be a boolean"},
		{"object", "vitally.custom.subject", map[string]any{}, "must be a string"},
		{"string", "vitally.custom.subject", "ok", ""},
		{"textarea", "vitally.custom.transcript", "line 1\nline 2", ""},
		{"datetime", "vitally.custom.requestClosedAt", "2026-03-01T13:00:00.123+01:00", ""},
		{"number", "vitally.custom.messages", 2.5, ""},
		{"boolean", "vitally.custom.escalated", true, ""},
		{"null", "vitally.custom.escalated", nil, ""},
	} {
		traits := map[string]any{tc.key: tc.value}
		post := call(t, f.s, http.MethodPost, path, map[string]any{"externalId": "v-" + tc.name, "customerId": f.acc.ID,
			"traits": traits})
		put := call(t, f.s, http.MethodPut, path+"/"+existing.ID, map[string]any{"traits": traits})
		for _, r := range []result{post, put} {
			if tc.message == "" {
				if r.status != http.StatusOK {
					t.Errorf("%s: %d %s, want 200", tc.name, r.status, r.body)
				}
			} else if r.status != http.StatusBadRequest || !strings.Contains(r.message(t), tc.message) {
				t.Errorf("%s: %d %s, want 400 mentioning %q", tc.name, r.status, r.body, tc.message)
			}
		}
	}
	if _, ok := f.s.InstanceByExternalID(f.tickets.ID, "v-unknown key"); ok {
		t.Error("an instance with an unknown trait was created")
	}
	// The other custom object has no fields: a trait of Tickets is unknown there.
	r := call(t, f.s, http.MethodPost, instancesPath(f.otherObj), map[string]any{"externalId": "p", "customerId": f.acc.ID,
		"traits": map[string]any{"vitally.custom.subject": "x"}})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestInstanceLinks(t *testing.T) {
	f := newFixture(t)
	otherOrg := f.s.AddOrganization(Organization{ExternalID: "other", Name: "Other"})
	path := instancesPath(f.tickets)
	for _, tc := range []struct {
		name                     string
		customerID, organization string
		want                     int
	}{
		{"neither", "", "", http.StatusBadRequest},
		{"unknown account", "acc_9", "", http.StatusBadRequest},
		{"account externalId", f.acc.ExternalID, "", http.StatusBadRequest},
		{"unknown organization", "", "org_9", http.StatusBadRequest},
		{"account of another organization", f.acc.ID, otherOrg.ID, http.StatusBadRequest},
		{"account without organization", f.loneAcc.ID, f.org.ID, http.StatusBadRequest},
		{"account", f.loneAcc.ID, "", http.StatusOK},
		{"organization", "", otherOrg.ID, http.StatusOK},
		{"both", f.acc.ID, f.org.ID, http.StatusOK},
	} {
		r := call(t, f.s, http.MethodPost, path, map[string]any{"externalId": tc.name, "customerId": tc.customerID,
			"organizationId": tc.organization})
		if r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.want)
		}
	}
	both, ok := f.s.InstanceByExternalID(f.tickets.ID, "both")
	if !ok || both.CustomerID != f.acc.ID || both.OrganizationID != f.org.ID {
		t.Errorf("instance with both links: %+v", both)
	}
	if got := len(f.s.Instances(f.tickets.ID)); got != 3 {
		t.Errorf("%d instances, want 3", got)
	}
	if got := f.s.Writes(f.tickets.ID); got != 3 {
		t.Errorf("Writes() = %d, want 3", got)
	}
}

func TestMaxInWindow(t *testing.T) {
	f := newFixture(t)
	f.s.SetRateLimit(5, 10*time.Second)
	for range 4 {
		call(t, f.s, http.MethodGet, "/resources/customObjects", nil)
		f.clock.Advance(3 * time.Second)
	}
	// Requests at 0s, 3s, 6s and 9s: the window held 4 at most; at 12s it holds 3, 6 and 9.
	call(t, f.s, http.MethodGet, "/resources/customObjects", nil)
	if got := f.s.MaxInWindow(); got != 4 {
		t.Errorf("MaxInWindow() = %d, want 4", got)
	}
}
