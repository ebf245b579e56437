package slacktest

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// obj is a JSON object as Slack writes it.
type obj = map[string]any

// A method answers one Web API call with s.mu held: the response fields, or an error
// code (with optional extra fields, e.g. response_metadata).
type method func(s *Sim, c *call) (obj, string)

// methods is every Web API method the simulator knows, one file each.
var methods = map[string]method{
	"apps.connections.open":        (*Sim).appsConnectionsOpen,
	"auth.test":                    (*Sim).authTest,
	"chat.getPermalink":            (*Sim).chatGetPermalink,
	"chat.postEphemeral":           (*Sim).chatPostEphemeral,
	"chat.postMessage":             (*Sim).chatPostMessage,
	"chat.update":                  (*Sim).chatUpdate,
	"conversations.archive":        (*Sim).conversationsArchive,
	"conversations.create":         (*Sim).conversationsCreate,
	"conversations.history":        (*Sim).conversationsHistory,
	"conversations.info":           (*Sim).conversationsInfo,
	"conversations.invite":         (*Sim).conversationsInvite,
	"conversations.kick":           (*Sim).conversationsKick,
	"conversations.list":           (*Sim).conversationsList,
	"conversations.members":        (*Sim).conversationsMembers,
	"conversations.open":           (*Sim).conversationsOpen,
	"conversations.replies":        (*Sim).conversationsReplies,
	"conversations.setPurpose":     (*Sim).conversationsSetPurpose,
	"conversations.setTopic":       (*Sim).conversationsSetTopic,
	"files.info":                   (*Sim).filesInfo,
	"files.getUploadURLExternal":   (*Sim).filesGetUploadURLExternal,
	"files.completeUploadExternal": (*Sim).filesCompleteUploadExternal,
	"reactions.add":                (*Sim).reactionsAdd,
	"reactions.remove":             (*Sim).reactionsRemove,
	"team.info":                    (*Sim).teamInfo,
	"users.info":                   (*Sim).usersInfo,
	"views.open":                   (*Sim).viewsOpen,
	"views.publish":                (*Sim).viewsPublish,
	"views.push":                   (*Sim).viewsPush,
	"views.update":                 (*Sim).viewsUpdate,
}

// call is one Web API request: its parameters come from a form, a query string or a
// JSON body, depending on the method and on how slack-go sends it.
type call struct {
	method string
	form   url.Values
	body   map[string]json.RawMessage
	token  string
}

// str is a parameter as a string: a form value, or a JSON string (other JSON values
// as their JSON text).
func (c *call) str(name string) string {
	if raw, ok := c.body[name]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	return c.form.Get(name)
}

// raw is a parameter as JSON: a JSON body field as is, or a form value holding JSON.
func (c *call) raw(name string) json.RawMessage {
	if raw, ok := c.body[name]; ok {
		return raw
	}
	if v := c.form.Get(name); v != "" {
		return json.RawMessage(v)
	}
	return nil
}

func (c *call) has(name string) bool {
	_, ok := c.body[name]
	return ok || c.form.Has(name)
}

func (c *call) bool(name string) bool {
	b, _ := strconv.ParseBool(c.str(name))
	return b || c.str(name) == "1"
}

func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request) {
	c := &call{method: strings.TrimPrefix(r.URL.Path, "/api/"), form: url.Values{}}
	if err := parseCall(r, c); err != nil {
		writeJSON(w, http.StatusOK, obj{"ok": false, "error": "invalid_form_data"})
		return
	}
	lag := s.lag()
	if !sleepCtx(r.Context(), lag/2) {
		return
	}
	s.mu.Lock()
	rec := Call{Method: c.method, Params: c.params(), Time: time.Now()}
	status, resp := s.answer(c)
	if ok, _ := resp["ok"].(bool); !ok {
		rec.Error, _ = resp["error"].(string)
	}
	s.calls = append(s.calls, rec)
	s.notify()
	s.mu.Unlock()
	sleepCtx(r.Context(), lag-lag/2)
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", resp["retry_after"].(string))
		delete(resp, "retry_after")
	}
	if status >= 500 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body>Slack is having trouble</body></html>"))
		return
	}
	writeJSON(w, status, resp)
}

// answer runs the method with s.mu held and returns the HTTP status and body.
func (s *Sim) answer(c *call) (int, obj) {
	if status, retry, ok := s.takeFault(c.method); ok {
		if status == http.StatusTooManyRequests {
			return status, obj{"ok": false, "error": "ratelimited", "retry_after": retry}
		}
		return status, obj{"ok": false, "error": "http_" + strconv.Itoa(status)}
	}
	m, known := methods[c.method]
	if !known {
		s.errorf("the app called %s, which the simulator does not implement", c.method)
		return http.StatusOK, obj{"ok": false, "error": "unknown_method"}
	}
	if code := s.authorize(c); code != "" {
		return http.StatusOK, obj{"ok": false, "error": code}
	}
	resp, code := m(s, c)
	if code != "" {
		out := obj{"ok": false, "error": code}
		maps.Copy(out, resp)
		return http.StatusOK, out
	}
	if resp == nil {
		resp = obj{}
	}
	resp["ok"] = true
	return http.StatusOK, resp
}

// authorize checks the token type: the app-level token opens sockets and nothing else.
func (s *Sim) authorize(c *call) string {
	want := s.BotToken
	if c.method == "apps.connections.open" {
		want = s.AppToken
	}
	switch {
	case c.token == "":
		return "not_authed"
	case c.token == want:
		return ""
	case c.token == s.BotToken || c.token == s.AppToken:
		return "not_allowed_token_type"
	default:
		return "invalid_auth"
	}
}

func parseCall(r *http.Request, c *call) error {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		c.token = auth
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodPost && ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&c.body); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		c.form = r.URL.Query()
	} else {
		if err := r.ParseForm(); err != nil {
			return err
		}
		c.form = r.Form
	}
	if c.token == "" {
		c.token = c.str("token")
	}
	return nil
}

// params flattens the call's parameters for the record, without the token.
func (c *call) params() map[string]string {
	p := map[string]string{}
	for k := range c.form {
		p[k] = c.form.Get(k)
	}
	for k := range c.body {
		p[k] = c.str(k)
	}
	delete(p, "token")
	return p
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Call is one recorded Web API call.
type Call struct {
	Method string
	Params map[string]string // every parameter but the token; JSON values as JSON text
	Time   time.Time
	Error  string // the error code answered, "" on success
}

// Calls returns the recorded calls of a method, in order; "" returns every call.
func (s *Sim) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			c.Params = maps.Clone(c.Params)
			out = append(out, c)
		}
	}
	return slices.Clip(out)
}

func itoa(n int) string { return strconv.Itoa(n) }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("slacktest: " + err.Error())
	}
	return b
}
