package slacktest

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// serveFile answers GET and HEAD of url_private and url_private_download as
// files.slack.com does. With "Authorization: Bearer <bot token>" and a file the bot
// can see, it serves the bytes (Content-Type the file's mimetype; the download URL as
// an attachment). Otherwise (no token, a wrong one, a file shared only where the bot
// is not) it redirects (302) to the workspace's sign-in page with redir set to the
// path, which answers 200 with HTML: clients that ignore that get a login page for
// the file, and slack-go's GetFile reports the redirect as an error.
func (s *Sim) serveFile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id, name, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/files-pri/"+TeamID+"-"), "/")
	name, download := strings.CutPrefix(name, "download/")
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")

	s.mu.Lock()
	f := s.files[id]
	var why string
	switch {
	case token == "":
		why = "without the bot token"
	case token != s.BotToken:
		why = "with a token that is not the bot token"
	case f == nil || url.PathEscape(f.Name) != name:
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	case !s.botSees(f):
		why = "of a file shared only where the bot is not"
	}
	if why != "" {
		s.mu.Unlock()
		s.logf("download %s %s: redirected to the sign-in page, as Slack does", r.URL.Path, why)
		http.Redirect(w, r, s.srv.URL+"/?redir="+url.QueryEscape(r.URL.Path), http.StatusFound)
		return
	}
	content, mimetype, fname := f.content, f.Mimetype, f.Name
	if r.Method == http.MethodGet {
		f.downloads++
		s.notify()
	}
	s.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", mimetype)
	h.Set("Content-Length", itoa(len(content)))
	if download {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fname}))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(content)
	}
}

// serveSignIn is the workspace's sign-in page, where Slack sends unauthorized
// downloads.
func (s *Sim) serveSignIn(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Sign in | Slack</title></head>" +
		"<body><h1>Sign in to " + TeamDomain + "</h1></body></html>"))
}
