package gladly

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// The item and attachment of testdata/item_chat_with_attachment.json: Gladly's documented
// example values ("Get Item" and "Get Attachment", https://developer.gladly.com/rest/).
const (
	docItem       = "pOVVdzweSumI4bFxjlT8LA"
	docAttachment = "dGhpcyBpcyBhbiBhdHRhY2htZW50"
)

// itemWithAttachment is testdata/item_chat_with_attachment.json as the fake serves it.
func itemWithAttachment(t *testing.T) map[string]any {
	t.Helper()
	var it map[string]any
	if err := json.Unmarshal([]byte(testdata(t, "item_chat_with_attachment.json")), &it); err != nil {
		t.Fatal(err)
	}
	return it
}

// fileLinks records the references FileLink was given and links them under a made-up
// PUBLIC_URL.
type fileLinks struct {
	refs []string
	err  error
}

func (l *fileLinks) link(_ context.Context, ref string) (string, error) {
	l.refs = append(l.refs, ref)
	if l.err != nil {
		return "", l.err
	}
	return "https://desk.example.com/files/" + ref + ".sig", nil
}

// TestProcessor_CustomerFileLinked: a customer's chat message with an attachment (Gladly's
// documented item, testdata/item_chat_with_attachment.json) opens a ticket whose message
// carries the file as a link to Frontdesk, named and typed as Gladly describes it; the
// link's reference resolves, through Gladly's "Get Attachment", to where the file is.
func TestProcessor_CustomerFileLinked(t *testing.T) {
	p, f, tk := setupProcessor(t)
	links := &fileLinks{}
	p.fileLink = links.link
	f.SetItems(convID, itemWithAttachment(t))
	mustProcess(t, p, edited(t, "contact_message_received.json", map[string]any{"content.messageId": docItem}))
	first := tk.first()
	ref := docItem + "/" + docAttachment
	want := []tickets.Attachment{{URL: "https://desk.example.com/files/" + ref + ".sig", Name: "attachment-1.png", MIME: "image/png", Size: 1024, Upload: true}}
	if first.Text != "HI! Can you help me with my order?" || !reflect.DeepEqual(first.Attachments, want) {
		t.Errorf("first = %+v", first)
	}
	if !reflect.DeepEqual(links.refs, []string{ref}) {
		t.Errorf("links made for %v", links.refs)
	}
	f.Reset()
	got, err := p.api.Attachment(context.Background(), ref)
	if err != nil || got != gladlytest.DownloadURL(docAttachment) {
		t.Fatalf("Attachment = %q, %v", got, err)
	}
	assertCalls(t, f, wantCall{http.MethodGet, "/conversation-items/" + docItem + "/attachments/" + docAttachment, ""})
}

// TestProcessor_CustomerFileUnlinked: without PUBLIC_URL (no FileLink) the file is named,
// and agents are sent to Gladly for it.
func TestProcessor_CustomerFileUnlinked(t *testing.T) {
	p, f, tk := setupProcessor(t)
	f.SetItems(convID, itemWithAttachment(t))
	mustProcess(t, p, edited(t, "contact_message_received.json", map[string]any{"content.messageId": docItem}))
	first := tk.first()
	if first.Text != "HI! Can you help me with my order?\n[attachment-1.png (image/png): open the conversation in Gladly to see it]" ||
		len(first.Attachments) != 0 {
		t.Errorf("first = %+v", first)
	}
}

// TestProcessor_FileLinkFails: a link that cannot be made (the signing key unreadable)
// opens nothing and is worth a retry: the file is not dropped.
func TestProcessor_FileLinkFails(t *testing.T) {
	p, f, tk := setupProcessor(t)
	p.fileLink = (&fileLinks{err: errors.New("redis: connection refused")}).link
	f.SetItems(convID, itemWithAttachment(t))
	err := process(t, p, edited(t, "contact_message_received.json", map[string]any{"content.messageId": docItem}))
	if err == nil || tickets.IsPermanent(err) || len(tk.all()) != 0 {
		t.Errorf("Process = %v, opened %d", err, len(tk.all()))
	}
}

// TestProcessor_MovedInFilesLinked: the messages of a conversation moved into the AI
// inbox carry their files too.
func TestProcessor_MovedInFilesLinked(t *testing.T) {
	p, f, tk := setupProcessor(t)
	links := &fileLinks{}
	p.fileLink = links.link
	f.SetItems(convID, itemWithAttachment(t))
	mustProcess(t, p, testdata(t, "conversation_assignee_into_ai_inbox.json"))
	if first := tk.first(); len(first.Attachments) != 1 || len(links.refs) != 1 {
		t.Errorf("first %+v, links %v", first, links.refs)
	}
}

// TestMessageOf_ManyFiles: files past the most a message takes are named, not dropped.
func TestMessageOf_ManyFiles(t *testing.T) {
	it := &item{Content: itemContent{Type: "EMAIL", Text: "photos"}}
	var links []string
	for i := range tickets.MaxAttachments + 2 {
		it.Content.Attachments = append(it.Content.Attachments, itemAttachment{ID: "a", Filename: "p.jpg", ContentType: "image/jpeg"})
		links = append(links, "https://desk.example.com/files/"+string(rune('a'+i)))
	}
	m := messageOf(it, "i1", links)
	if len(m.Attachments) != tickets.MaxAttachments || strings.Count(m.Text, "p.jpg (image/jpeg): open the conversation in Gladly") != 2 {
		t.Errorf("%d attachments, text %q", len(m.Attachments), m.Text)
	}
}

// TestClient_Attachment resolves references the way Gladly answers "Get Attachment".
func TestClient_Attachment(t *testing.T) {
	c, f := setup(t, nil)
	f.SetItems(convID, itemWithAttachment(t), chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "no files"))
	ctx := context.Background()
	for _, tc := range []struct {
		name, ref string
		gone      bool
		calls     int
	}{
		{"NoSuchItem", "nOSuchItem/" + docAttachment, true, 1},
		{"ItemWithoutAttachments", firstItem + "/" + docAttachment, true, 1}, // the documented 400
		{"NoSuchAttachment", docItem + "/aNother", true, 1},
		{"NotAReference", "just-an-id", true, 0},
		{"EmptyPart", docItem + "/", true, 0},
		{"TooManyParts", docItem + "/a/b", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.Reset()
			_, err := c.Attachment(ctx, tc.ref)
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Attachment = %v, want fs.ErrNotExist", err)
			}
			if n := len(f.Calls()); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
		})
	}
	ref := docItem + "/" + docAttachment
	f.FailNext(gladlytest.Failure{On: "GET /conversation-items/", Status: http.StatusServiceUnavailable})
	if _, err := c.Attachment(ctx, ref); err == nil || tickets.IsPermanent(err) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("503: %v, want a transient error", err)
	}
	f.FailNext(gladlytest.Failure{On: "GET /conversation-items/", Status: http.StatusTooManyRequests})
	var ra *tickets.RetryAfterError
	if _, err := c.Attachment(ctx, ref); !errors.As(err, &ra) {
		t.Errorf("429: %v, want a RetryAfterError", err)
	}
	// A relative Location is taken relative to Gladly's host; the fake's failures carry
	// Location: /elsewhere, which must not be followed.
	f.FailNext(gladlytest.Failure{On: "GET /conversation-items/", Status: http.StatusSeeOther})
	if got, err := c.Attachment(ctx, ref); err != nil || got != f.URL+"/elsewhere" {
		t.Errorf("relative Location: %q, %v", got, err)
	}
	f.FailNext(gladlytest.Failure{On: "GET /conversation-items/", Status: http.StatusOK, Body: `{}`})
	if _, err := c.Attachment(ctx, ref); !tickets.IsPermanent(err) {
		t.Errorf("200: %v, want a permanent error", err)
	}
	if got, err := c.Attachment(ctx, ref); err != nil || got != gladlytest.DownloadURL(docAttachment) {
		t.Errorf("Attachment = %q, %v", got, err)
	}
}
