package vitally

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Vitally's own example bodies, fed through the client's real decoders. Each names its
// source.

// "REST API: Custom Traits", List Custom Traits By Model, example response
// (https://docs.vitally.io/en/articles/9880864-rest-api-custom-traits): a bare array.
const exampleCustomFields = `[
  {
    "label": "Next step",
    "type": "textarea",
    "createdAt": "2020-12-11T20:16:27.370Z",
    "path": "vitally.custom.nextSteps"
  }
]`

// "Get a Custom Object" example response, from the summary of Vitally's API reference
// (https://withone.ai/knowledge/vitally): customFields there is a list of path → label
// maps, unlike the create's answer; the client does not read it.
const exampleCustomObject = `{
  "id": "custom-object-id",
  "createdAt": "2024-01-15T10:30:00.000Z",
  "updatedAt": "2024-02-01T08:12:45.000Z",
  "name": "My Custom Object",
  "label": "Custom Object Label",
  "syncActive": true,
  "writeMode": "writableByAll",
  "customFields": [ { "vitally.custom.organization": "Custom Organization" } ]
}`

// "Create a Custom Object" example response, same source.
const exampleCreatedObject = `{
  "id": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
  "createdAt": "2024-05-22T15:28:11.123Z",
  "updatedAt": "2024-05-22T15:28:11.123Z",
  "name": "custom-object-1",
  "label": "custom-object-label-1",
  "syncActive": true,
  "writeMode": "readonly",
  "customFields": [
    {
      "id": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
      "label": "custom-field-label-1",
      "path": "vitally.custom.customFieldLabel1",
      "type": "string",
      "createdAt": "2024-05-22T15:28:11.123Z"
    }
  ]
}`

// A list page as "REST API: Custom Objects", List Custom Objects, shows it
// (https://docs.vitally.io/en/articles/9880872-rest-api-custom-objects):
// {"results": [...], "next": "eyJzb3J0VmFs..."}, here holding the object above.
const exampleObjectsPage = `{"results": [` + exampleCustomObject + `], "next": null}`

// Vitally's error body (https://docs.vitally.io/pushing-data-to-vitally/rest-api).
const exampleError = `{"statusCode":400,"message":"Bad Request"}`

// answer serves fixed bodies by "METHOD path" and counts the requests.
func answer(t *testing.T, bodies map[string]string) (*client, map[string]int) {
	t.Helper()
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		seen[key]++
		body, ok := bodies[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"statusCode":404,"message":"Not Found"}`))
			return
		}
		if strings.Contains(body, `"statusCode":400`) {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return &client{base: srv.URL, auth: authHeader(secret), hc: srv.Client(), gate: newGate(0, time.Second)}, seen
}

func TestExampleCustomFieldsDecode(t *testing.T) {
	c, _ := answer(t, map[string]string{"GET /resources/customFields": exampleCustomFields})
	fields, err := c.customFields(context.Background(), "obj")
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != 1 || fields[0].Label != "Next step" || fields[0].Path != "vitally.custom.nextSteps" || fields[0].Type != "textarea" {
		t.Errorf("fields %+v", fields)
	}
	// A page is taken too.
	c, _ = answer(t, map[string]string{"GET /resources/customFields": `{"results": ` + exampleCustomFields + `, "next": null}`})
	if fields, err = c.customFields(context.Background(), "obj"); err != nil || len(fields) != 1 {
		t.Errorf("page: %+v, %v", fields, err)
	}
}

func TestExampleObjectsDecode(t *testing.T) {
	c, _ := answer(t, map[string]string{"GET /resources/customObjects": exampleObjectsPage, "POST /resources/customObjects": exampleCreatedObject})
	objs, err := c.customObjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if o, _, ok := findObject(objs, "custom object label"); !ok || o.ID != "custom-object-id" {
		t.Errorf("objects %+v", objs)
	}
	o, err := c.createObject(context.Background(), objectWrite{Name: "custom-object-1", Label: "custom-object-label-1", WriteMode: "readonly"})
	if err != nil || o.ID != "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" {
		t.Errorf("created %+v, %v", o, err)
	}
}

// With Vitally's examples for every answer, the schema of an object with the documented
// "Next step" trait uses that trait's path, and the traits Frontdesk lacks are added
// with one update.
func TestExampleSchema(t *testing.T) {
	c, seen := answer(t, map[string]string{
		"GET /resources/customObjects":                  exampleObjectsPage,
		"GET /resources/customFields":                   exampleCustomFields,
		"PUT /resources/customObjects/custom-object-id": exampleCustomObject,
	})
	want := append(Traits(), Trait{"Next step", typeTextarea})
	e, err := ensure(context.Background(), c, "My Custom Object", want, t0)
	if err != nil {
		t.Fatal(err)
	}
	if e.objectID != "custom-object-id" || e.fields["next step"].Path != "vitally.custom.nextSteps" {
		t.Errorf("schema %+v", e.schema)
	}
	// The example answer to the fields never has them: Vitally did not add them, and
	// that is said, not taken for success.
	if seen["PUT /resources/customObjects/custom-object-id"] != 1 || len(e.missing) != len(Traits()) || e.refused == nil {
		t.Errorf("seen %v, missing %d, refused %v", seen, len(e.missing), e.refused)
	}
}

func TestExampleErrorDecode(t *testing.T) {
	c, _ := answer(t, map[string]string{"POST /resources/customObjects": exampleError})
	_, err := c.createObject(context.Background(), objectWrite{Name: "n", Label: "l", WriteMode: "writable"})
	if statusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "Bad Request") || !refusal(err) {
		t.Errorf("err %v", err)
	}
}
