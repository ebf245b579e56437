package slacktest

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebViewConfig configures the page WebView serves.
type WebViewConfig struct {
	// Title names the workspace on the page (default "Slack workspace (simulated)").
	Title string
	// DefaultUser is the user (name or id) the page acts as until the reader picks
	// another; default the first person added.
	DefaultUser string
	// MessageShortcuts and GlobalShortcuts are the app's shortcuts as in its manifest:
	// the page offers them on every message and in its sidebar.
	MessageShortcuts, GlobalShortcuts []Shortcut
}

// Shortcut is one of the app's shortcuts: the callback_id the app gets and the name
// people see.
type Shortcut struct {
	CallbackID string `json:"callback_id"`
	Name       string `json:"name"`
}

// longPoll bounds how long GET api/state waits for a change.
const longPoll = 25 * time.Second

// maxActionBody bounds a POSTed action.
const maxActionBody = 64 << 10

//go:embed webui
var webUI embed.FS

// WebView is a read-and-click page over the simulated workspace, for people (a demo)
// rather than tests: the channels a person sees with their messages, threads and Block
// Kit rendered as text and buttons; posting in a channel, clicking buttons, running
// shortcuts and filling modals as that person, each delivered to the app exactly as the
// actors (Post, Click, Shortcut, Submit) deliver them. Mount it under a path ending in a
// slash: the page uses relative URLs. Its POSTs take JSON only, so that another site
// cannot post a form to it.
func (s *Sim) WebView(cfg WebViewConfig) http.Handler {
	if cfg.Title == "" {
		cfg.Title = "Slack workspace (simulated)"
	}
	w := &webView{s: s, cfg: cfg}
	ui, _ := fs.Sub(webUI, "webui") // the directory is embedded above
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(ui))
	mux.HandleFunc("GET /api/state", w.state)
	for path, h := range map[string]func(*User, json.RawMessage) (any, error){
		"post": w.post, "click": w.click, "shortcut": w.shortcut, "global": w.global,
		"submit": w.submit, "close": w.closeView, "home": w.home,
	} {
		mux.HandleFunc("POST /api/"+path, w.action(h))
	}
	return mux
}

type webView struct {
	s   *Sim
	cfg WebViewConfig
}

// webError is an action the page asked for that cannot be done, with its HTTP status.
type webError struct {
	status int
	msg    string
}

func (e *webError) Error() string { return e.msg }

func badRequest(msg string) error { return &webError{http.StatusBadRequest, msg} }

// person finds a human user by id or name ("" is the default user).
func (w *webView) person(idOrName string) (*User, error) {
	s := w.s
	if idOrName == "" {
		idOrName = w.cfg.DefaultUser
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.userOrder {
		u := s.users[id]
		if u.isBot || u.deleted {
			continue
		}
		if idOrName == "" || u.id == idOrName || u.name == idOrName {
			return &User{sim: s, ID: u.id, Name: u.name}, nil
		}
	}
	return nil, &webError{http.StatusNotFound, "no such person in the workspace"}
}

// action serves a POST whose JSON body names the acting user ("as") and what they do.
func (w *webView) action(h func(*User, json.RawMessage) (any, error)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			writeJSON(rw, http.StatusUnsupportedMediaType, obj{"error": "send JSON"})
			return
		}
		var body json.RawMessage
		if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, maxActionBody)).Decode(&body); err != nil {
			writeJSON(rw, http.StatusBadRequest, obj{"error": "the body is not JSON"})
			return
		}
		var who struct {
			As string `json:"as"`
		}
		_ = json.Unmarshal(body, &who)
		u, err := w.person(who.As)
		var res any
		if err == nil {
			res, err = h(u, body)
		}
		if we := (*webError)(nil); errors.As(err, &we) {
			writeJSON(rw, we.status, obj{"error": we.msg})
			return
		}
		if err != nil {
			writeJSON(rw, http.StatusConflict, obj{"error": err.Error()})
			return
		}
		writeJSON(rw, http.StatusOK, res)
	}
}

// state answers the page's poll: the workspace as the acting user sees it, with the
// channel it shows. With after=N it waits (at most longPoll) until the workspace has
// changed since version N.
func (w *webView) state(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	u, err := w.person(q.Get("as"))
	if err != nil {
		writeJSON(rw, http.StatusNotFound, obj{"error": err.Error()})
		return
	}
	if after, err := strconv.ParseUint(q.Get("after"), 10, 64); err == nil {
		w.waitChange(r.Context(), after)
	}
	s := w.s
	s.mu.Lock()
	st := w.snapshot(u.ID, q.Get("channel"))
	s.mu.Unlock()
	rw.Header().Set("Cache-Control", "no-store")
	writeJSON(rw, http.StatusOK, st)
}

// waitChange returns once the simulator's version passes after, ctx ends or longPoll
// passes.
func (w *webView) waitChange(ctx context.Context, after uint64) {
	s := w.s
	timer := time.NewTimer(longPoll)
	defer timer.Stop()
	for {
		s.mu.Lock()
		v, ch, closed := s.version, s.changed, s.closed
		s.mu.Unlock()
		if v > after || closed {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		case <-timer.C:
			return
		}
	}
}
