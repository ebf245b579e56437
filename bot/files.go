package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// Secrets keeps secrets shared by every replica: Secret returns the secret called name,
// making a random one the first time.
type Secrets interface {
	Secret(ctx context.Context, name string) ([]byte, error)
}

// Files lets customers open the files agents share in inbox channels. Slack's own file
// links need a Slack login, so an agent's file is relayed as a link to Frontdesk that
// names the file and an expiry, signed with a key only Frontdesk knows; Files checks the
// signature and streams the file from Slack with the bot token.
type Files struct {
	api     *slack.Client
	secrets Secrets
	base    string // PUBLIC_URL + "/files/"
	ttl     time.Duration
	log     *zap.Logger
	now     func() time.Time

	mu  sync.Mutex
	key []byte
	// places are the stores outside Slack whose files Files links to too (Place).
	places map[string]place
}

// place is a store of files outside Slack (Place).
type place struct {
	ttl    time.Duration
	locate Locator
}

// Locator finds where a file kept outside Slack can be downloaded now: a URL, often
// short-lived, that the browser opening the file's link is sent to. ref is what LinkTo
// was given. An error that wraps fs.ErrNotExist says the file is no more.
type Locator = func(ctx context.Context, ref string) (string, error)

// filesSecret names the signing key in Secrets.
const filesSecret = "file-links"

// NewFiles serves files at publicURL + "/files/{token}", links valid for ttl.
func NewFiles(api *slack.Client, secrets Secrets, publicURL string, ttl time.Duration, log *zap.Logger) (*Files, error) {
	if api == nil || secrets == nil || publicURL == "" {
		return nil, errors.New("bot: NewFiles needs a Slack client, a secret store and the public URL")
	}
	if ttl <= 0 {
		ttl = 7 * 24 * time.Hour
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Files{api: api, secrets: secrets, base: strings.TrimRight(publicURL, "/") + "/files/",
		ttl: ttl, log: log.Named("files"), now: time.Now}, nil
}

// signingKey is the shared key, loaded once.
func (f *Files) signingKey(ctx context.Context) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.key == nil {
		key, err := f.secrets.Secret(ctx, filesSecret)
		if err != nil {
			return nil, err
		}
		f.key = key
	}
	return f.key, nil
}

func (f *Files) sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Link returns a link to Slack file id that anyone holding it can open until it expires.
func (f *Files) Link(ctx context.Context, id string) (string, error) {
	return f.link(ctx, id, f.ttl)
}

// link signs id with an expiry ttl from now.
func (f *Files) link(ctx context.Context, id string, ttl time.Duration) (string, error) {
	key, err := f.signingKey(ctx)
	if err != nil {
		return "", err
	}
	payload := id + "." + strconv.FormatInt(f.now().Add(ttl).Unix(), 10)
	return f.base + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + f.sign(key, payload), nil
}

// Place has Files link to and serve the files of a store outside Slack called name, e.g.
// a source's attachments that only its API credentials can read: LinkTo(ctx, name, ref)
// makes a link valid for ttl (the Files' own when 0), and opening it redirects to where
// locate says the file is now, so no credential leaves Frontdesk and the link outlives
// the store's short-lived URLs. Call it before serving; name must be letters and
// digits. Links to Slack files are told apart by the ":" after name, which Slack ids
// never hold.
func (f *Files) Place(name string, ttl time.Duration, locate Locator) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) >= 0 || locate == nil {
		return errors.New("bot: Files.Place needs a name of letters and digits and a locator")
	}
	if ttl <= 0 {
		ttl = f.ttl
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.places == nil {
		f.places = map[string]place{}
	}
	f.places[name] = place{ttl: ttl, locate: locate}
	return nil
}

// LinkTo returns a link to file ref of place name (Place) that anyone holding it can
// open until it expires.
func (f *Files) LinkTo(ctx context.Context, name, ref string) (string, error) {
	f.mu.Lock()
	p, ok := f.places[name]
	f.mu.Unlock()
	if !ok || ref == "" {
		return "", fmt.Errorf("bot: no file place %q, or no file", name)
	}
	return f.link(ctx, name+":"+ref, p.ttl)
}

// errLink is a link that is not ours, is damaged, or has expired.
var errLink = errors.New("bad or expired file link")

// verify returns the file id a token stands for.
func (f *Files) verify(ctx context.Context, token string) (string, error) {
	enc, sig, ok := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil {
		return "", errLink
	}
	key, err := f.signingKey(ctx)
	if err != nil {
		return "", err
	}
	payload := string(raw)
	if !hmac.Equal([]byte(sig), []byte(f.sign(key, payload))) {
		return "", errLink
	}
	i := strings.LastIndex(payload, ".") // an id of a Place may hold dots; the expiry does not
	if i < 0 {
		return "", errLink
	}
	id, exp := payload[:i], payload[i+1:]
	until, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || id == "" || f.now().Unix() > until {
		return "", errLink
	}
	return id, nil
}

// ServeHTTP answers GET /files/{token}: the file, or 404 for a link that is not valid.
func (f *Files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, err := f.verify(r.Context(), r.PathValue("token"))
	if errors.Is(err, errLink) {
		http.Error(w, "This link is not valid or has expired.", http.StatusNotFound)
		return
	}
	if err != nil {
		f.log.Error("file link key", zap.Error(err))
		http.Error(w, "Please try again later.", http.StatusServiceUnavailable)
		return
	}
	if name, ref, ok := strings.Cut(id, ":"); ok {
		f.serveElsewhere(w, r, name, ref)
		return
	}
	file, _, _, err := f.api.GetFileInfoContext(r.Context(), id, 0, 0)
	if slackCode(err) == "file_not_found" || slackCode(err) == "file_deleted" {
		http.Error(w, "This file is no longer available.", http.StatusNotFound)
		return
	}
	if err != nil {
		f.log.Warn("files.info", zap.String("file", id), zap.Error(err))
		http.Error(w, "The file could not be fetched; please try again later.", http.StatusBadGateway)
		return
	}
	url := file.URLPrivateDownload
	if url == "" {
		url = file.URLPrivate
	}
	h := w.Header()
	h.Set("Content-Type", safeType(file.Mimetype))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=300")
	if err := f.api.GetFileContext(r.Context(), url, w); err != nil {
		// Headers may be gone already; the client sees a cut download.
		f.log.Warn("download from Slack", zap.String("file", id), zap.Error(err))
	}
}

// serveElsewhere redirects to file ref of place name, where its locator says it is now.
func (f *Files) serveElsewhere(w http.ResponseWriter, r *http.Request, name, ref string) {
	f.mu.Lock()
	p, ok := f.places[name]
	f.mu.Unlock()
	if !ok {
		http.Error(w, "This file is no longer available.", http.StatusNotFound)
		return
	}
	to, err := p.locate(r.Context(), ref)
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "This file is no longer available.", http.StatusNotFound)
		return
	}
	if u, perr := url.Parse(to); err == nil && (perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		err = errors.New("the file's place gave no absolute http(s) URL")
	}
	if err != nil {
		f.log.Warn("file elsewhere", zap.String("place", name), zap.Error(err))
		http.Error(w, "The file could not be fetched; please try again later.", http.StatusBadGateway)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store") // the place's URL may expire soon
	h.Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// safeType is the file's MIME type, or a neutral one when Slack gave none usable.
func safeType(t string) string {
	if _, _, err := mime.ParseMediaType(t); err != nil || t == "" {
		return "application/octet-stream"
	}
	return t
}

// fileLink is where a customer can open file f: Frontdesk's signed link when Files is
// set up (PUBLIC_URL), else Slack's own link, which needs a Slack login.
func (b *Bot) fileLink(ctx context.Context, f slack.File) string {
	if b.files != nil && f.ID != "" {
		link, err := b.files.Link(ctx, f.ID)
		if err == nil {
			return link
		}
		b.log.Warn("file link", zap.String("file", f.ID), zap.Error(err))
	}
	return fileURL(f)
}
