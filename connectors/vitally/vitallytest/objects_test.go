package vitallytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"
)

// sameShape fails the test when got (a JSON answer) lacks a key of want (a documented
// example), or has another value for a key whose value want gives.
func sameShape(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("answer %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("example: %v", err)
	}
	if !covers(g, w) {
		t.Errorf("answer\n %s\ndoes not have the shape of Vitally's example\n %s", got, want)
	}
}

// covers reports whether g has every key and element of w with the same values; a map
// in w with a "..." key only needs the others.
func covers(g, w any) bool {
	switch w := w.(type) {
	case map[string]any:
		gm, ok := g.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if k == "..." {
				continue
			}
			gv, ok := gm[k]
			if !ok || !covers(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		ga, ok := g.([]any)
		if !ok || len(ga) != len(w) {
			return false
		}
		for i := range w {
			if !covers(ga[i], w[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(g, w)
}

// The fields of a custom object are a bare JSON array sorted by label, as in "REST API:
// Custom Traits", List Custom Traits By Model, example response
// (https://docs.vitally.io/en/articles/9880864-rest-api-custom-traits):
//
//	[{"label": "Next step", "type": "textarea", "createdAt": "2020-12-11T20:16:27.370Z",
//	  "path": "vitally.custom.nextSteps"}]
//
// The Custom Trait object's documented properties add id (and options).
func TestCustomFieldsDocumentedExample(t *testing.T) {
	s, _ := newServer(t)
	obj := s.AddCustomObject("Tickets")
	s.AddCustomField(CustomField{Label: "Next step", Type: TypeTextarea, Path: "vitally.custom.nextSteps",
		CustomObjectID: obj.ID, CreatedAt: time.Date(2020, 12, 11, 20, 16, 27, 370e6, time.UTC)})
	r := call(t, s, http.MethodGet, "/resources/customFields?model=customObjects&customObjectId="+obj.ID, nil)
	wantStatus(t, r, http.StatusOK)
	sameShape(t, r.body, `[{"label": "Next step", "type": "textarea", "createdAt": "2020-12-11T20:16:27.370Z",
		"path": "vitally.custom.nextSteps"}]`)
	var fields []map[string]any
	r.decode(t, &fields)
	if id, _ := fields[0]["id"].(string); id == "" || len(fields[0]) != 5 {
		t.Errorf("field %v: want id, label, type, createdAt and path only", fields[0])
	}
}

func TestCustomFieldsBareArraySortedByLabel(t *testing.T) {
	s, _ := newServer(t)
	obj := s.AddCustomObject("Tickets")
	for i := 150; i >= 1; i-- {
		s.AddCustomField(CustomField{Label: fmt.Sprintf("Field %03d", i), CustomObjectID: obj.ID})
	}
	s.AddCustomField(CustomField{Label: "Plan", Model: "accounts"})
	// Vitally documents no paging here: limit and from change nothing.
	for _, q := range []string{"", "&limit=10", "&from=bogus"} {
		r := call(t, s, http.MethodGet, "/resources/customFields?model=customObjects&customObjectId="+obj.ID+q, nil)
		wantStatus(t, r, http.StatusOK)
		var fields []fieldJSON
		r.decode(t, &fields)
		if len(fields) != 150 {
			t.Fatalf("%q: %d fields", q, len(fields))
		}
		for i, f := range fields {
			if want := fmt.Sprintf("Field %03d", i+1); f.Label != want || f.Type != TypeString {
				t.Fatalf("field %d = %+v, want label %q", i, f, want)
			}
		}
		if fields[0].Path != "vitally.custom.field001" {
			t.Errorf("path %q", fields[0].Path)
		}
	}
	r := call(t, s, http.MethodGet, "/resources/customFields?model=accounts", nil)
	var accounts []fieldJSON
	r.decode(t, &accounts)
	if len(accounts) != 1 || accounts[0].Label != "Plan" {
		t.Errorf("accounts fields %s", r.body)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"/resources/customFields", http.StatusBadRequest},
		{"/resources/customFields?model=widgets", http.StatusBadRequest},
		{"/resources/customFields?model=customObjects", http.StatusBadRequest},
		{"/resources/customFields?model=customObjects&customObjectId=obj_9", http.StatusNotFound},
	} {
		if r := call(t, s, http.MethodGet, tc.query, nil); r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.query, r.status, r.body, tc.want)
		}
	}
}

// Custom objects are listed in pages, as in "REST API: Custom Objects", List Custom
// Objects, example response (https://docs.vitally.io/en/articles/9880872-rest-api-custom-objects):
//
//	{"results": [...], "next": "eyJzb3J0VmFs..."}
//
// each with the properties of "The Custom Object object": id, createdAt, updatedAt,
// name, label, syncActive, writeMode, customFields.
func TestListCustomObjectsDocumentedShape(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.s, http.MethodGet, "/resources/customObjects?limit=1", nil)
	wantStatus(t, r, http.StatusOK)
	var page struct {
		Results []map[string]any `json:"results"`
		Next    *string          `json:"next"`
	}
	r.decode(t, &page)
	if len(page.Results) != 1 || page.Next == nil {
		t.Fatalf("first page %s", r.body)
	}
	for _, k := range []string{"id", "createdAt", "updatedAt", "name", "label", "syncActive", "writeMode", "customFields"} {
		if _, ok := page.Results[0][k]; !ok {
			t.Errorf("object without %s: %v", k, page.Results[0])
		}
	}
	if page.Results[0]["id"] != f.tickets.ID || len(page.Results[0]["customFields"].([]any)) != 5 {
		t.Errorf("first object %v", page.Results[0])
	}
	r = call(t, f.s, http.MethodGet, "/resources/customObjects?limit=1&from="+url.QueryEscape(*page.Next), nil)
	page.Results, page.Next = nil, nil
	r.decode(t, &page)
	if len(page.Results) != 1 || page.Results[0]["id"] != f.otherObj.ID || page.Next != nil {
		t.Fatalf("second page %s", r.body)
	}
}

// Creating a custom object takes name, label, writeMode and customFields [{label, type}]
// and answers the object with each field's path, as in the example of "Create a Custom
// Object" (summary of Vitally's API reference, https://withone.ai/knowledge/vitally):
//
//	{"id": "xxxxxxxx-…", "createdAt": "2024-05-22T15:28:11.123Z", "updatedAt": "…",
//	 "name": "custom-object-1", "label": "custom-object-label-1", "syncActive": true,
//	 "writeMode": "readonly", "customFields": [{"id": "…", "label": "custom-field-label-1",
//	 "path": "vitally.custom.customFieldLabel1", "type": "string", "createdAt": "…"}, …]}
func TestCreateCustomObject(t *testing.T) {
	s, _ := newServer(t)
	r := call(t, s, http.MethodPost, "/resources/customObjects", map[string]any{
		"name": "custom-object-1", "label": "custom-object-label-1", "writeMode": "readonly",
		"customFields": []map[string]any{{"label": "custom-field-label-1", "type": "string", "model": "CustomObject"},
			{"label": "Closed At", "type": "datetime"}},
	})
	wantStatus(t, r, http.StatusOK)
	sameShape(t, r.body, `{"...": "", "name": "custom-object-1", "label": "custom-object-label-1", "syncActive": true,
		"writeMode": "readonly", "customFields": [
		{"...": "", "label": "Closed At", "path": "vitally.custom.closedAt", "type": "datetime"},
		{"...": "", "label": "custom-field-label-1", "path": "vitally.custom.customFieldLabel1", "type": "string"}]}`)
	var o objectJSON
	r.decode(t, &o)
	if o.ID == "" || o.CreatedAt == "" || o.CustomFields[0].ID == "" || o.CustomFields[0].CreatedAt == "" {
		t.Errorf("created %s", r.body)
	}
	if got := s.CustomObjects(); len(got) != 1 || got[0].ID != o.ID {
		t.Errorf("objects %+v", got)
	}
	// Vitally does not say whether names are unique: the fake makes a second one.
	r = call(t, s, http.MethodPost, "/resources/customObjects", map[string]any{"name": "custom-object-1", "label": "x", "writeMode": "writable"})
	wantStatus(t, r, http.StatusOK)
	if n := len(s.CustomObjects()); n != 2 {
		t.Errorf("%d objects", n)
	}
	for _, bad := range []map[string]any{
		{"label": "l", "writeMode": "writable"},
		{"name": "n", "writeMode": "writable"},
		{"name": "n", "label": "l"},
		{"name": "n", "label": "l", "writeMode": "everyone"},
		{"name": "n", "label": "l", "writeMode": "writable", "customFields": []map[string]any{{"label": "A", "type": "colour"}}},
		{"name": "n", "label": "l", "writeMode": "writable", "customFields": []map[string]any{{"type": "string"}}},
		{"name": "n", "label": "l", "writeMode": "writable", "customFields": []map[string]any{{"label": "A", "type": "string"}, {"label": "a", "type": "number"}}},
		{"name": "n", "label": "l", "writeMode": "writable", "customFields": []map[string]any{{"id": "fld_1", "label": "A", "type": "string"}}},
	} {
		if r := call(t, s, http.MethodPost, "/resources/customObjects", bad); r.status != http.StatusBadRequest {
			t.Errorf("%v: %d %s", bad, r.status, r.body)
		}
	}
	if n := len(s.CustomObjects()); n != 2 {
		t.Errorf("bad bodies made objects: %d", n)
	}
}

// An update's customFields is the object's whole list: fields kept by id, new ones
// without, the rest deleted.
func TestUpdateCustomObjectFields(t *testing.T) {
	f := newFixture(t)
	have := f.s.CustomFields(f.tickets.ID)
	var keep []map[string]any
	for _, fl := range have {
		keep = append(keep, map[string]any{"id": fl.ID, "label": fl.Label, "type": fl.Type})
	}
	path := "/resources/customObjects/" + f.tickets.ID
	r := call(t, f.s, http.MethodPut, path, map[string]any{
		"customFields": append(slices.Clone(keep), map[string]any{"label": "Urgency", "type": "string"}),
	})
	wantStatus(t, r, http.StatusOK)
	got := f.s.CustomFields(f.tickets.ID)
	if len(got) != 6 || !slices.ContainsFunc(got, func(c CustomField) bool { return c.Label == "Urgency" && c.Path == "vitally.custom.urgency" }) {
		t.Fatalf("fields %+v", got)
	}
	// A label already taken is refused, and so is a field of another object or a type change.
	for _, bad := range []any{
		append(slices.Clone(keep), map[string]any{"label": "subject", "type": "string"}),
		[]map[string]any{{"id": "fld_404", "label": "X", "type": "string"}},
		[]map[string]any{{"id": have[0].ID, "label": have[0].Label, "type": "number"}},
	} {
		if r := call(t, f.s, http.MethodPut, path, map[string]any{"customFields": bad}); r.status != http.StatusBadRequest {
			t.Errorf("%v: %d %s", bad, r.status, r.body)
		}
	}
	// Only new fields: the others go.
	r = call(t, f.s, http.MethodPut, path, map[string]any{"customFields": []map[string]any{{"label": "Only", "type": "string"}}})
	wantStatus(t, r, http.StatusOK)
	if got := f.s.CustomFields(f.tickets.ID); len(got) != 1 || got[0].Label != "Only" {
		t.Errorf("fields %+v", got)
	}
	// No customFields: the fields stay; the name changes.
	r = call(t, f.s, http.MethodPut, path, map[string]any{"name": "Requests"})
	wantStatus(t, r, http.StatusOK)
	if got := f.s.CustomFields(f.tickets.ID); len(got) != 1 || f.s.CustomObjects()[0].Name != "Requests" {
		t.Errorf("fields %+v, objects %+v", got, f.s.CustomObjects())
	}
	if r := call(t, f.s, http.MethodPut, "/resources/customObjects/obj_404", map[string]any{"name": "x"}); r.status != http.StatusNotFound {
		t.Errorf("unknown object: %d", r.status)
	}
	r = call(t, f.s, http.MethodGet, path, nil)
	wantStatus(t, r, http.StatusOK)
	sameShape(t, r.body, `{"...": "", "name": "Requests", "label": "Tickets", "writeMode": "writable", "syncActive": true}`)
}

func TestRefuseSchemaChanges(t *testing.T) {
	f := newFixture(t)
	f.s.RefuseSchemaChanges(http.StatusForbidden)
	r := call(t, f.s, http.MethodPost, "/resources/customObjects", map[string]any{"name": "n", "label": "l", "writeMode": "writable"})
	if r.status != http.StatusForbidden || r.message(t) == "" {
		t.Errorf("create: %d %s", r.status, r.body)
	}
	r = call(t, f.s, http.MethodPut, "/resources/customObjects/"+f.tickets.ID, map[string]any{"customFields": []any{}})
	if r.status != http.StatusForbidden {
		t.Errorf("update: %d %s", r.status, r.body)
	}
	if len(f.s.CustomObjects()) != 2 || len(f.s.CustomFields(f.tickets.ID)) != 5 {
		t.Error("a refused change changed something")
	}
	f.s.RefuseSchemaChanges(0)
	r = call(t, f.s, http.MethodPost, "/resources/customObjects", map[string]any{"name": "n", "label": "l", "writeMode": "writable"})
	wantStatus(t, r, http.StatusOK)
}

// Creating an instance, as in "REST API: Custom Objects", Custom Object Instance traits,
// example request and response
// (https://docs.vitally.io/en/articles/9880872-rest-api-custom-objects):
//
//	POST …/resources/customObjects/:customObjectId/instances
//	{"name": "My custom object instance", "organizationId": "xxxxxxxx-…",
//	 "traits": {"vitally.custom.organization": "my custom organization"}}
//
// answered with the instance: its name, organizationId, organization, …, traits.
func TestCreateInstanceDocumentedExample(t *testing.T) {
	f := newFixture(t)
	f.s.AddCustomField(CustomField{Label: "Organization", Path: "vitally.custom.organization", CustomObjectID: f.tickets.ID})
	r := call(t, f.s, http.MethodPost, instancesPath(f.tickets), `{
		"name": "My custom object instance",
		"organizationId": "`+f.org.ID+`",
		"traits": {"vitally.custom.organization": "my custom organization"}
	}`)
	wantStatus(t, r, http.StatusOK)
	sameShape(t, r.body, `{"...": "", "name": "My custom object instance", "organizationId": "`+f.org.ID+`",
		"traits": {"vitally.custom.organization": "my custom organization"}}`)
}
