package slacktest

import (
	"mime"
	"net/url"
	"path"
	"strings"
	"time"
)

// File is a file shared in the workspace, as the app sees it in the message's files.
type File struct {
	ID, Name, Title    string
	Mimetype, Filetype string
	Size               int
	User               string // who shared it
	URLPrivate         string // the file on the simulator; GET it with the bot token
	URLPrivateDownload string // the same, as an attachment
	Permalink          string
}

type fileData struct {
	File
	pretty          string
	created         int64
	public          bool // first shared in a public channel
	permalinkPublic string
	content         []byte
	shares          []fileShare
	downloads       int // bytes served with the bot token (GET)
}

// fileShare is a message that carries the file.
type fileShare struct{ channel, ts string }

// newFile stores a file the user uploads into c. Call with s.mu held.
func (s *Sim) newFile(userID string, c *channelData, name, mimetype string, content []byte) *fileData {
	return s.newFileID(s.ids.fileID(), userID, c, name, mimetype, content)
}

// newFileID is newFile with the file's id given (an upload's); c may be nil (a file
// shared nowhere yet). Call with s.mu held.
func (s *Sim) newFileID(id, userID string, c *channelData, name, mimetype string, content []byte) *fileData {
	base := s.srv.URL + "/files-pri/" + TeamID + "-" + id + "/"
	esc := url.PathEscape(name)
	mimetype, filetype, pretty := fileType(name, mimetype)
	f := &fileData{
		File: File{
			ID: id, Name: name, Title: name, Mimetype: mimetype, Filetype: filetype, Size: len(content),
			User: userID, URLPrivate: base + esc, URLPrivateDownload: base + "download/" + esc,
			Permalink: "https://" + TeamDomain + ".slack.com/files/" + userID + "/" + id + "/" + esc,
		},
		pretty: pretty, created: time.Now().Unix(), public: c != nil && !c.private,
		permalinkPublic: "https://slack-files.com/" + TeamID + "-" + id + "-" + randHex(5),
		content:         append([]byte(nil), content...),
	}
	s.files[id] = f
	return f
}

// fileTypes maps extensions to Slack's filetype and pretty_type.
var fileTypes = map[string][2]string{
	"png": {"png", "PNG"}, "jpg": {"jpg", "JPEG"}, "jpeg": {"jpg", "JPEG"}, "gif": {"gif", "GIF"},
	"webp": {"webp", "WebP"}, "heic": {"heic", "HEIC"}, "pdf": {"pdf", "PDF"},
	"txt": {"text", "Plain Text"}, "csv": {"csv", "CSV"}, "json": {"json", "JSON"},
	"zip": {"zip", "Zip"}, "docx": {"docx", "Word Document"}, "xlsx": {"xlsx", "Excel Spreadsheet"},
	"mp4": {"mp4", "MPEG 4 Video"}, "mov": {"mov", "QuickTime Movie"}, "html": {"html", "HTML"},
}

// fileType returns the mimetype (guessed from the name if empty, without parameters),
// the filetype and the pretty_type of a file.
func fileType(name, mimetype string) (string, string, string) {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	if mimetype == "" {
		mimetype = mime.TypeByExtension("." + ext)
	}
	if mt, _, err := mime.ParseMediaType(mimetype); err == nil {
		mimetype = mt
	} else {
		mimetype = "application/octet-stream"
	}
	if t, ok := fileTypes[ext]; ok {
		return mimetype, t[0], t[1]
	}
	if mimetype == "text/plain" {
		return mimetype, "text", "Plain Text"
	}
	return mimetype, "binary", "Binary"
}

// json is the file object of message events and history (files[]).
func (f *fileData) json() obj {
	return obj{
		"id": f.ID, "created": f.created, "timestamp": f.created, "name": f.Name, "title": f.Title,
		"mimetype": f.Mimetype, "filetype": f.Filetype, "pretty_type": f.pretty,
		"user": f.User, "user_team": TeamID, "editable": false, "size": f.Size, "mode": "hosted",
		"is_external": false, "external_type": "", "is_public": f.public,
		"public_url_shared": false, "display_as_bot": false, "username": "",
		"url_private": f.URLPrivate, "url_private_download": f.URLPrivateDownload,
		"media_display_type": "unknown", "permalink": f.Permalink,
		"permalink_public": f.permalinkPublic, "is_starred": false,
		"has_rich_preview": false, "file_access": "visible",
	}
}

// botSees reports whether the bot is in a conversation the file was shared in: Slack
// hides the others' files from it. Call with s.mu held.
func (s *Sim) botSees(f *fileData) bool {
	for _, sh := range f.shares {
		if c := s.channels[sh.channel]; c != nil && c.isMember(BotUserID) {
			return true
		}
	}
	return false
}

// Files lists the files of the message.
func (m *Message) Files() (files []File) {
	m.read(func(d *msgData) {
		for _, f := range d.files {
			files = append(files, f.File)
		}
	})
	return files
}

// FileDownloads is how many times the file's bytes were served with the bot token
// (url_private or url_private_download); refused downloads do not count.
func (s *Sim) FileDownloads(fileID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[fileID]; f != nil {
		return f.downloads
	}
	return 0
}

// FileContent is the bytes of file id (nil for an unknown file).
func (s *Sim) FileContent(id string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[id]; f != nil {
		return append([]byte(nil), f.content...)
	}
	return nil
}
