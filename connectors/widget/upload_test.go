package widget

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// pngBytes is the start of a PNG file, enough for a browser's (and Go's) sniffing.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR a broken router")

// upload posts a file as the script does (multipart/form-data: the token, then the file)
// and returns the status and the decoded answer.
func (r *rig) upload(t *testing.T, origin, token, name, mimeType string, data []byte) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if token != "" {
		_ = mw.WriteField("token", token)
	}
	if data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		h.Set("Content-Type", mimeType)
		p, _ := mw.CreatePart(h)
		_, _ = p.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+FilesPath, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", origin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer map[string]any
	_ = json.NewDecoder(res.Body).Decode(&answer)
	return res.StatusCode, answer
}

// TestUpload: a visitor's file is taken, kept and served as its link says; the message
// that names it carries it to the ticket as a file to share in Slack, and shows it in the
// visitor's own feed.
func TestUpload(t *testing.T) {
	r := newRig(t, nil)
	ws, v := r.connect(t)
	tok := r.w.signer.issue(v, r.w.now())
	code, up := r.upload(t, testOrigin, tok, `C:\photos\router "front".png`, "image/png", pngBytes)
	if code != http.StatusCreated {
		t.Fatalf("upload = %d %v", code, up)
	}
	id, _ := up["id"].(string)
	if !validFileID(id) || up["url"] != testPublicURL+FilesPath+"/"+id || up["name"] != `router "front".png` ||
		up["mime"] != "image/png" || up["size"] != float64(len(pngBytes)) {
		t.Fatalf("answer %v", up)
	}

	// Served to whoever has the link, as an image that shows and cannot run.
	res, err := http.Get(r.srv.URL + FilesPath + "/" + id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	h := res.Header
	if res.StatusCode != 200 || !bytes.Equal(got, pngBytes) || h.Get("Content-Type") != "image/png" ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "inline") {
		t.Fatalf("served %d %q with %v", res.StatusCode, got, h)
	}

	send(t, ws, map[string]any{"type": "message", "id": "m1", "text": "", "files": []string{id}})
	next(t, ws, "ack")
	item := next(t, ws, "item")["item"].(map[string]any)
	atts, _ := item["attachments"].([]any)
	if len(atts) != 1 || atts[0].(map[string]any)["url"] != up["url"] || atts[0].(map[string]any)["mime"] != "image/png" {
		t.Fatalf("the visitor's item %v", item)
	}
	ms := r.transcript(t, v)
	want := tickets.Attachment{URL: testPublicURL + FilesPath + "/" + id, Name: `router "front".png`, MIME: "image/png",
		Size: int64(len(pngBytes)), Upload: true}
	if len(ms) != 1 || len(ms[0].Attachments) != 1 || ms[0].Attachments[0] != want {
		t.Fatalf("transcript %+v", ms)
	}

	// Another visitor cannot send it, and nobody can send a file that is not there.
	ws2, _ := r.connect(t)
	send(t, ws2, map[string]any{"type": "message", "id": "m2", "text": "look", "files": []string{id}})
	if e := next(t, ws2, "error"); e["error"] != "file_not_found" || e["id"] != "m2" {
		t.Fatalf("another visitor's file: %v", e)
	}
	send(t, ws, map[string]any{"type": "message", "id": "m3", "text": "and", "files": []string{newFileID()}})
	if e := next(t, ws, "error"); e["error"] != "file_not_found" {
		t.Fatalf("an unknown file: %v", e)
	}
	send(t, ws, map[string]any{"type": "message", "id": "m4", "files": []string{"../../etc/passwd"}})
	if e := next(t, ws, "error"); e["error"] != "bad_request" {
		t.Fatalf("a bad id: %v", e)
	}
	if got := r.texts(t, v); len(got) != 1 {
		t.Fatalf("refused messages were relayed: %q", got)
	}
	if code := post(t, r.srv.URL+FilesPath+"/"+newFileID(), http.MethodGet, "").StatusCode; code != http.StatusNotFound {
		t.Errorf("an unknown file = %d", code)
	}
}

// TestUpload_Refused: what is not a file the visitor may send is refused with a clear
// word, and nothing is kept.
func TestUpload_Refused(t *testing.T) {
	r := newRig(t, func(c *rigConfig) { c.MaxFileBytes = 64 })
	tok, _ := r.token()
	files := r.w.uploads.Store.(*memFiles)
	for _, tc := range []struct {
		name, origin, token, file, mime string
		data                            []byte
		status                          int
		code                            string
	}{
		{"no token", testOrigin, "", "a.png", "image/png", pngBytes, 401, "unauthorized"},
		{"bad token", testOrigin, tok + "x", "a.png", "image/png", pngBytes, 401, "unauthorized"},
		{"another site", "https://evil.example.com", tok, "a.png", "image/png", pngBytes, 403, "origin_not_allowed"},
		{"no file", testOrigin, tok, "", "", nil, 400, "no_file"},
		{"empty", testOrigin, tok, "a.png", "image/png", []byte{}, 400, "empty_file"},
		{"too large", testOrigin, tok, "a.png", "image/png", append(pngBytes, make([]byte, 64)...), 413, "file_too_large"},
		{"type not allowed", testOrigin, tok, "a.zip", "application/zip", []byte("PK\x03\x04"), 415, "file_type_not_allowed"},
		{"a page that says it is an image", testOrigin, tok, "a.png", "image/png", []byte("<html><script>alert(1)</script>"), 415, "file_type_mismatch"},
		{"svg", testOrigin, tok, "a.svg", "image/svg+xml", []byte("<svg onload=alert(1)>"), 415, "file_type_not_allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, answer := r.upload(t, tc.origin, tc.token, tc.file, tc.mime, tc.data)
			if code != tc.status || (answer["error"] != tc.code && tc.code != "origin_not_allowed") || (answer["error"] != nil && answer["message"] == "") {
				t.Fatalf("= %d %v, want %d %s", code, answer, tc.status, tc.code)
			}
		})
	}
	if len(files.files) != 0 {
		t.Errorf("refused files were kept: %d", len(files.files))
	}
	// Words a person understands, from the configuration.
	_, answer := r.upload(t, testOrigin, tok, "a.zip", "application/zip", []byte("PK"))
	if answer["message"] != "this kind of file cannot be sent here; you can send PNG, JPEG, GIF, WEBP, PDF and plain text" {
		t.Errorf("message %q", answer["message"])
	}
}

// TestUpload_Off: without a file store or PUBLIC_URL visitors cannot attach files, and the
// script offers none.
func TestUpload_Off(t *testing.T) {
	r := newRig(t, func(c *rigConfig) { c.uploads = Uploads{} })
	tok, _ := r.token()
	if code, answer := r.upload(t, testOrigin, tok, "a.png", "image/png", pngBytes); code != 404 || answer["error"] != "files_off" {
		t.Fatalf("upload = %d %v", code, answer)
	}
	if bytes.Contains(r.w.script.plain, []byte(`"files":`)) {
		t.Error("the script offers files")
	}
	on := newRig(t, nil)
	if !bytes.Contains(on.w.script.plain, []byte(`"files":{"maxBytes":10485760,"types":["image/png",`)) {
		t.Error("the script does not offer files")
	}
	ws, _ := r.connect(t)
	send(t, ws, map[string]any{"type": "message", "id": "m1", "text": "x", "files": []string{newFileID()}})
	if e := next(t, ws, "error"); e["error"] != "files_off" {
		t.Fatalf("a message with files: %v", e)
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"router.png": "router.png", `C:\Users\ann\router.png`: "router.png", "/etc/passwd": "passwd",
		"": "file", "..": "file", "a\x00b\nc.txt": "abc.txt", "\xff\xfe.png": ".png",
		strings.Repeat("é", 150) + ".png": tickets.Clip(strings.Repeat("é", 150), maxFileNameBytes),
	} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}
