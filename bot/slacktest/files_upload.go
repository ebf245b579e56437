package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// Slack's external upload flow (https://docs.slack.dev/reference/methods/files.getUploadURLExternal
// and .../files.completeUploadExternal; files.upload is retired): get an upload URL and a
// file id for a name and a length, POST the bytes there (raw or as a multipart form),
// then complete the upload with the file ids and where to share them (channel_id,
// thread_ts, initial_comment). The shared files arrive as one message from the bot.

// pendingUpload is a file whose upload URL was given and whose upload is not complete.
type pendingUpload struct {
	name     string
	length   int
	content  []byte
	uploaded bool
}

// maxUploadBytes bounds what the simulator keeps of one upload.
const maxUploadBytes = 64 << 20

// files.getUploadURLExternal: filename and length (bytes) are required; length 0 is
// missing_argument, as Slack's reference says.
func (s *Sim) filesGetUploadURLExternal(c *call) (obj, string) {
	name := c.str("filename")
	length, err := strconv.Atoi(c.str("length"))
	switch {
	case name == "" || err != nil && c.str("length") != "":
		return nil, "invalid_arguments"
	case length <= 0:
		return nil, "missing_argument"
	}
	id := s.ids.fileID()
	s.uploads[id] = &pendingUpload{name: name, length: length}
	return obj{"upload_url": s.srv.URL + "/upload/v1/" + id, "file_id": id}, ""
}

// serveUpload takes the bytes of a pending upload, raw or as a multipart form's file,
// and answers 200 "OK - <bytes>"; an unknown or completed upload is a 404.
func (s *Sim) serveUpload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	content, err := uploadedBytes(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	u := s.uploads[id]
	if u != nil {
		u.content, u.uploaded = content, true
	}
	s.notify()
	s.mu.Unlock()
	if u == nil {
		http.NotFound(w, r)
		return
	}
	fmt.Fprintf(w, "OK - %d", len(content))
}

// uploadedBytes is the upload's content: the first file part of a multipart form, or
// the body as is.
func uploadedBytes(r *http.Request) ([]byte, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := io.LimitReader(r.Body, maxUploadBytes+1)
	if !strings.HasPrefix(mt, "multipart/") {
		return io.ReadAll(body)
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, fmt.Errorf("no file in the multipart upload: %w", err)
		}
		if p.FileName() != "" || p.FormName() == "file" {
			return io.ReadAll(p)
		}
	}
}

// files.completeUploadExternal: every file of files ([{id, title}]) must have been
// uploaded, with as many bytes as its length said; with channel_id (a channel the bot is
// in; thread_ts for a reply) they are shared there in one message from the bot, with
// initial_comment as its text.
func (s *Sim) filesCompleteUploadExternal(c *call) (obj, string) {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(c.raw("files"), &list); err != nil || len(list) == 0 {
		return nil, "invalid_arguments"
	}
	var ch *channelData
	if id := c.str("channel_id"); id != "" {
		var code string
		if ch, code = s.botChannel(id); code != "" {
			return nil, code
		}
		if code := postable(ch); code != "" {
			return nil, code
		}
	}
	for _, f := range list {
		u := s.uploads[f.ID]
		switch {
		case u == nil:
			return nil, "file_not_found"
		case !u.uploaded || len(u.content) != u.length:
			return nil, "upload_incomplete"
		}
	}
	var out []obj
	var files []*fileData
	for _, f := range list {
		u := s.uploads[f.ID]
		delete(s.uploads, f.ID)
		fd := s.newFileID(f.ID, BotUserID, ch, u.name, "", u.content)
		if f.Title != "" {
			fd.Title = f.Title
		}
		files = append(files, fd)
		out = append(out, obj{"id": fd.ID, "title": fd.Title})
	}
	if ch != nil {
		m := &msgData{user: BotUserID, botID: BotID, text: c.str("initial_comment"), threadTS: c.str("thread_ts"),
			subtype: "file_share", files: files}
		s.addMessage(ch, m)
		for _, f := range files {
			f.shares = append(f.shares, fileShare{channel: ch.id, ts: m.ts})
		}
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Name
		}
		o := &output{kind: outMessage, channel: ch.id, where: s.where(ch), ts: m.ts,
			text: strings.TrimSpace(m.text + "\n[files: " + strings.Join(names, ", ") + "]")}
		if m.isReply() {
			o.kind, o.parent = outReply, m.threadTS
		}
		s.emit(o)
	}
	return obj{"files": out}, ""
}
