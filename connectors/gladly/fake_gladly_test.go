package gladly

import (
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
)

// newFakeGladly starts the fake Gladly (gladlytest) under testPrefix, taking the API
// user's credentials and holding the conversation of testdata/*.json. The test fails on a
// request the fake refused before a route and on one without the client's User-Agent.
func newFakeGladly(t *testing.T) *gladlytest.Server {
	t.Helper()
	f := gladlytest.New(testEmail, testToken)
	f.SetPrefix(testPrefix)
	t.Cleanup(func() {
		f.Close()
		for _, s := range f.Strays() {
			t.Errorf("the fake Gladly refused %s", s)
		}
		for _, c := range f.Calls() {
			if ua := c.Header.Get("User-Agent"); ua != userAgent {
				t.Errorf("%s: User-Agent = %q, want %q", c, ua, userAgent)
			}
		}
	})
	seed(f)
	return f
}

// seed holds the conversation of testdata/*.json: in the AI inbox, two customer messages
// (firstItem, then olderItem) and the customer's profile.
func seed(f *gladlytest.Server) {
	f.AddConversation(map[string]any{"id": convID, "customerId": customerID, "inboxId": aiInbox,
		"status": "OPEN", "createdAt": "2026-11-21T09:14:02.990Z", "topicIds": []any{}})
	f.SetItems(convID,
		chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "Hi! My e-bike order #A-3301 has not shipped yet."),
		chatItem(olderItem, "CUSTOMER", "2026-11-21T09:16:40.800Z", "It was due on Monday."),
	)
	f.AddProfile(map[string]any{
		"id": customerID, "name": "Lena Vogel",
		"emails":    []any{map[string]any{"original": "Lena.Vogel@example.org", "normalized": "lena.vogel@example.org"}},
		"phones":    []any{map[string]any{"original": "+49 30 1234567", "normalized": "+49301234567", "type": "MOBILE"}},
		"createdAt": "2025-03-02T10:00:00.000Z",
	})
}

// chatItem is a chat message item of the conversation of testdata/*.json.
func chatItem(id, initiator, at, text string) map[string]any {
	return gladlytest.ChatItem(convID, customerID, id, initiator, at, text)
}

// itemsOf returns the items of testdata/name, a JSON array of items as Gladly lists them.
func itemsOf(t *testing.T, name string) []map[string]any {
	t.Helper()
	var its []map[string]any
	if err := json.Unmarshal([]byte(testdata(t, name)), &its); err != nil {
		t.Fatal(err)
	}
	return its
}

// setup returns a Client pointed at a fake Gladly under testPrefix.
func setup(t *testing.T, edit func(*options)) (*Client, *gladlytest.Server) {
	t.Helper()
	f := newFakeGladly(t)
	o := testOptions(f.BaseURL())
	if edit != nil {
		edit(&o)
	}
	return newClient(o, zaptest.NewLogger(t)), f
}

// TestFakeGladly_AsDocumented holds the fake's fixed answers to the documented ones the
// connector reads.
func TestFakeGladly_AsDocumented(t *testing.T) {
	if got, want := gladlytest.NoAttachmentsBody, strings.TrimSpace(testdata(t, "attachment_invalid.json")); got != want {
		t.Errorf("the fake's 400 of Get Attachment is %s, Gladly's %s", got, want)
	}
	if gladlytest.MaxReplyChars != maxReplyChars {
		t.Errorf("the fake takes replies of %d characters, the client splits at %d", gladlytest.MaxReplyChars, maxReplyChars)
	}
}
