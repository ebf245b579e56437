package widget

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Files a visitor attaches. The script posts the file to FilesPath (multipart/form-data:
// the visitor's token, then the file); the widget checks its size and type, keeps it in
// a FileStore (Redis: every replica serves it, nothing on disk) until it expires, and
// answers its id and link. The visitor's next message names the ids (frame.Files): the
// message carries the files as attachments at their links, which the desk opens to
// upload each into Slack as a Slack file (tickets.Attachment.Upload), and the visitor's
// own bubble shows them (images previewed). A link is the file's random 128-bit id:
// whoever holds it can open the file until it expires, like the links to agents' files.

// File is one visitor's attached file as the FileStore keeps it.
type File struct {
	Visitor string // who attached it; only they can send it
	Name    string
	MIME    string // one of Config.FileTypes
	Size    int64
	Data    []byte // empty in what Meta returns
}

// FileStore keeps visitors' files for every replica (store.WidgetFiles through a small
// adapter in internal/app). Get and Meta return found=false for a file that is not
// there (never kept, or expired).
type FileStore interface {
	Put(ctx context.Context, id string, f File, ttl time.Duration) error
	Get(ctx context.Context, id string) (f File, found bool, err error)
	Meta(ctx context.Context, id string) (f File, found bool, err error)
}

// Uploads is what letting visitors attach files needs: where the files are kept and the
// public URL their links start with. Without either, visitors cannot attach files.
type Uploads struct {
	Store     FileStore
	PublicURL string
}

func (u Uploads) on() bool { return u.Store != nil && u.PublicURL != "" }

// Defaults and bounds of the files visitors attach.
const (
	DefaultMaxFileBytes = 10 << 20
	MaxFileBytes        = 25 << 20 // what the desk carries into Slack
	DefaultFileTTL      = 7 * 24 * time.Hour
	maxFilesPerMessage  = 5
	maxFileNameBytes    = 200
	fileIDBytes         = 16
)

// DefaultFileTypes are the types visitors may attach unless WIDGET_FILE_TYPES says
// otherwise: images, PDF and plain text, which every browser can show.
var DefaultFileTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}

// uploadAnswer is the answer to a file taken.
type uploadAnswer struct {
	ID   string `json:"id"`
	URL  string `json:"url"`
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int64  `json:"size"`
}

// uploadError is a file refused: the HTTP status, a code for the script and words for
// people.
type uploadError struct {
	status    int
	code, msg string
}

func (e *uploadError) Error() string { return e.code + ": " + e.msg }

// fileLink is where file id is served.
func (w *Widget) fileLink(id string) string {
	return strings.TrimRight(w.uploads.PublicURL, "/") + FilesPath + "/" + id
}

// serveUpload takes one file from a visitor's script on an allowed origin.
func (w *Widget) serveUpload(rw http.ResponseWriter, r *http.Request) {
	if !w.cors(rw, r) {
		return
	}
	rw.Header().Set("Cache-Control", "no-store")
	if !w.uploads.on() {
		writeUploadError(rw, &uploadError{http.StatusNotFound, "files_off", "this chat does not take files"})
		return
	}
	if ok, wait := w.ips.Allow(w.clientIP(r)); !ok {
		rw.Header().Set("Retry-After", strconv.FormatInt(retryAfter(wait), 10))
		writeUploadError(rw, &uploadError{http.StatusTooManyRequests, "rate_limited", "you are sending too fast; please wait a moment"})
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, int64(w.cfg.MaxFileBytes)+64<<10)
	f, err := w.readUpload(r)
	if err != nil {
		var ue *uploadError
		if !errors.As(err, &ue) {
			w.log.Warn("a visitor's file could not be read", zap.Error(err))
			ue = &uploadError{http.StatusBadRequest, "bad_request", "the file did not arrive whole; please try again"}
		}
		writeUploadError(rw, ue)
		return
	}
	if ok, wait := w.visitors.Allow(f.Visitor); !ok {
		rw.Header().Set("Retry-After", strconv.FormatInt(retryAfter(wait), 10))
		writeUploadError(rw, &uploadError{http.StatusTooManyRequests, "rate_limited", "you are sending too fast; please wait a moment"})
		return
	}
	id := newFileID()
	ctx, cancel := context.WithTimeout(r.Context(), workTimeout)
	defer cancel()
	if err := w.uploads.Store.Put(ctx, id, f, w.cfg.FileTTL); err != nil {
		w.log.Error("a visitor's file was not kept", zap.Error(err))
		writeUploadError(rw, &uploadError{http.StatusServiceUnavailable, "internal", "something went wrong; please try again"})
		return
	}
	w.log.Debug("file taken", zap.String("visitor", f.Visitor), zap.String("id", id), zap.String("mime", f.MIME), zap.Int64("bytes", f.Size))
	httpsrc.WriteJSON(rw, http.StatusCreated, uploadAnswer{ID: id, URL: w.fileLink(id), Name: f.Name, MIME: f.MIME, Size: f.Size})
}

// readUpload reads the form: the token and the file, in either order, and checks both.
func (w *Widget) readUpload(r *http.Request) (File, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return File{}, &uploadError{http.StatusBadRequest, "bad_request", "send the file as multipart/form-data"}
	}
	var f File
	var token string
	var gotFile bool
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return File{}, tooLarge(err, w.cfg.MaxFileBytes)
		}
		switch p.FormName() {
		case "token":
			b, err := io.ReadAll(io.LimitReader(p, 512))
			if err != nil {
				return File{}, err
			}
			token = string(b)
		case "file":
			if gotFile {
				return File{}, &uploadError{http.StatusBadRequest, "bad_request", "send one file at a time"}
			}
			gotFile = true
			if f.Data, err = io.ReadAll(io.LimitReader(p, int64(w.cfg.MaxFileBytes)+1)); err != nil {
				return File{}, tooLarge(err, w.cfg.MaxFileBytes)
			}
			f.Name, f.MIME = fileName(p.FileName()), p.Header.Get("Content-Type")
		}
		p.Close()
	}
	if f.Visitor, err = w.signer.verify(token, w.now()); err != nil {
		return File{}, &uploadError{http.StatusUnauthorized, "unauthorized", "your chat session has expired; please reload the page"}
	}
	switch {
	case !gotFile:
		return File{}, &uploadError{http.StatusBadRequest, "no_file", "no file was sent"}
	case len(f.Data) == 0:
		return File{}, &uploadError{http.StatusBadRequest, "empty_file", "the file is empty"}
	case len(f.Data) > w.cfg.MaxFileBytes:
		return File{}, tooLarge(nil, w.cfg.MaxFileBytes)
	}
	f.Size = int64(len(f.Data))
	if f.MIME, err = w.fileType(f.MIME, f.Data); err != nil {
		return File{}, err
	}
	return f, nil
}

// tooLarge is the refusal of a file over max; err, when not about the size, is returned
// as it is.
func tooLarge(err error, max int) error {
	var mb *http.MaxBytesError
	if err == nil || errors.As(err, &mb) {
		return &uploadError{http.StatusRequestEntityTooLarge, "file_too_large", tooLargeWords(max)}
	}
	return err
}

// tooLargeWords is the refusal of a file over max bytes, for people.
func tooLargeWords(max int) string {
	return "the file is too large: the limit is " + sizeWords(int64(max))
}

// fileType is the type a file is kept and served as: the type the browser declared,
// which must be one of Config.FileTypes, and which its content must bear out: an image
// must be that image (it is shown in the page), PDF and plain text must look like them,
// and nothing may look like a page or a script.
func (w *Widget) fileType(declared string, data []byte) (string, error) {
	t, _, err := mime.ParseMediaType(declared)
	if err != nil || !slices.Contains(w.cfg.FileTypes, t) {
		return "", &uploadError{http.StatusUnsupportedMediaType, "file_type_not_allowed", wrongType(w.cfg.FileTypes)}
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	ok := true
	switch {
	case strings.HasPrefix(t, "image/"), t == "application/pdf":
		ok = sniffed == t
	case t == "text/plain":
		ok = sniffed == "text/plain"
	default:
		ok = sniffed != "text/html" && sniffed != "text/xml"
	}
	if !ok {
		return "", &uploadError{http.StatusUnsupportedMediaType, "file_type_mismatch", "the file is not what its name says it is"}
	}
	return t, nil
}

// serveFile serves a visitor's file to whoever has its link: the visitor's own page, the
// desk carrying it into Slack, an agent following the link. Images show inline, other
// files download; nothing served can run in the browser.
func (w *Widget) serveFile(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validFileID(id) || !w.uploads.on() {
		http.Error(rw, "This file is not here.", http.StatusNotFound)
		return
	}
	f, found, err := w.uploads.Store.Get(r.Context(), id)
	if err != nil {
		w.log.Warn("a visitor's file could not be read", zap.Error(err))
		http.Error(rw, "Please try again later.", http.StatusServiceUnavailable)
		return
	}
	if !found {
		http.Error(rw, "This file is no longer available.", http.StatusNotFound)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", f.MIME)
	h.Set("Content-Length", strconv.Itoa(len(f.Data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	disposition := "attachment"
	if strings.HasPrefix(f.MIME, "image/") {
		disposition = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	_, _ = rw.Write(f.Data)
}

// attachments are the files ids names as attachments of visitor's message, in order. A
// file that is not there any more, or is another visitor's, is refused.
func (w *Widget) attachments(ctx context.Context, visitor string, ids []string) ([]tickets.Attachment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if !w.uploads.on() {
		return nil, &frameError{Code: "files_off", Msg: "this chat does not take files"}
	}
	var out []tickets.Attachment
	for _, id := range ids {
		f, found, err := w.uploads.Store.Meta(ctx, id)
		if err != nil {
			return nil, err
		}
		if !found || f.Visitor != visitor {
			return nil, &frameError{Code: "file_not_found", Msg: "a file of this message has expired; please attach it again"}
		}
		out = append(out, tickets.Attachment{URL: w.fileLink(id), Name: f.Name, MIME: f.MIME, Size: f.Size, Upload: true})
	}
	return out, nil
}

// newFileID returns a fresh random file id: 128 bits, base64url.
func newFileID() string {
	var b [fileIDBytes]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validFileID reports whether id is shaped like one newFileID makes.
func validFileID(id string) bool {
	if len(id) != base64.RawURLEncoding.EncodedLen(fileIDBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// fileName is the name the visitor's browser gave the file, made safe to show: its last
// path element, valid UTF-8 without control characters, at most maxFileNameBytes; "file"
// when nothing is left.
func fileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, "\\", "/"))
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	s = strings.TrimSpace(tickets.Clip(s, maxFileNameBytes))
	if s == "" || s == "." || s == ".." || s == "/" {
		return "file"
	}
	return s
}

// sizeWords writes n bytes as "10 MB".
func sizeWords(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(max(n>>10, 1), 10) + " KB"
}

// wrongType is the refusal of a file of a type not in types.
func wrongType(types []string) string {
	return "this kind of file cannot be sent here; you can send " + typeWords(types)
}

// typeWords names types for people: "PNG, JPEG, PDF and plain text".
func typeWords(types []string) string {
	names := make([]string, 0, len(types))
	for _, t := range types {
		name := strings.ToUpper(strings.TrimPrefix(t[strings.IndexByte(t, '/')+1:], "x-"))
		if t == "text/plain" {
			name = "plain text"
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func writeUploadError(rw http.ResponseWriter, e *uploadError) {
	httpsrc.WriteJSON(rw, e.status, errorFrame{Type: "error", Error: e.code, Message: e.msg})
}
