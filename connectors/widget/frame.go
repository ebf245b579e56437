package widget

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The frames a visitor's script sends over the websocket (frame.Type). The first must be
// a hello; then any number of messages and ratings.
const (
	frameHello   = "hello"
	frameMessage = "message"
	frameRate    = "rate"
)

// Limits on a frame besides limits.MaxMessageBytes.
const (
	maxFrameBytes    = 64 << 10 // a longer frame closes the socket (1009)
	maxClientIDBytes = 64
	maxNameBytes     = 200
	maxEmailBytes    = 254
	maxCommentBytes  = 2000 // tickets.MaxCSATComment
)

// frame is one JSON frame from the visitor; which fields count depends on Type.
type frame struct {
	Type string `json:"type"`
	// hello
	Token string `json:"token"`
	After string `json:"after"`
	// message: ID is the script's own id for it, the same on every resend.
	ID    string `json:"id"`
	Text  string `json:"text"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Files are the ids of files the visitor attached (POST FilesPath) that go with the
	// message.
	Files []string `json:"files"`
	// rate
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
}

// frameError is a frame refused: Code for the script, Msg for people. Neither quotes the
// frame.
type frameError struct {
	Code, Msg string
}

func (e *frameError) Error() string { return e.Code + ": " + e.Msg }

func badFrame(msg string) error { return &frameError{Code: "bad_request", Msg: msg} }

// parseFrame decodes and checks one frame; maxText bounds a message's text. Every error
// is a *frameError; with it comes the frame as decoded (nil when it is not JSON), so that
// a refusal can name the message it refuses.
func parseFrame(b []byte, maxText int) (*frame, error) {
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, badFrame("a frame must be a JSON object")
	}
	switch f.Type {
	case frameHello:
		if f.Token == "" {
			return &f, badFrame("missing field: token")
		}
		if !validSeq(f.After) {
			return &f, badFrame("field after is not a position in the chat")
		}
	case frameMessage:
		if !validClientID(f.ID) {
			return &f, badFrame("field id must be 1 to 64 letters, digits, '-' or '_'")
		}
		if len(f.Files) > maxFilesPerMessage {
			return &f, badFrame("a message takes at most " + strconv.Itoa(maxFilesPerMessage) + " files")
		}
		for _, id := range f.Files {
			if !validFileID(id) {
				return &f, badFrame("field files must hold the ids of attached files")
			}
		}
		if strings.TrimSpace(f.Text) == "" && len(f.Files) == 0 {
			return &f, &frameError{Code: "empty_message", Msg: "the message is empty"}
		}
		if len(f.Text) > maxText {
			return &f, &frameError{Code: "message_too_long", Msg: "the message is too long: keep it under " + strconv.Itoa(maxText) + " bytes"}
		}
		if !utf8.ValidString(f.Text) || !utf8.ValidString(f.Name) || !utf8.ValidString(f.Email) {
			return &f, badFrame("text must be UTF-8")
		}
		if len(f.Name) > maxNameBytes || len(f.Email) > maxEmailBytes {
			return &f, badFrame("name or email is too long")
		}
		if f.Email != "" && !plausibleEmail(f.Email) {
			return &f, &frameError{Code: "bad_email", Msg: "the email address does not look right"}
		}
	case frameRate:
		if f.Rating < 1 || f.Rating > 5 {
			return &f, badFrame("field rating must be 1 to 5")
		}
		if len(f.Comment) > maxCommentBytes || !utf8.ValidString(f.Comment) {
			return &f, badFrame("the comment is too long or not UTF-8")
		}
	case "":
		return &f, badFrame("missing field: type")
	default:
		return &f, badFrame("unknown frame type")
	}
	return &f, nil
}

func validClientID(id string) bool {
	if id == "" || len(id) > maxClientIDBytes {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// plausibleEmail is a light check: one '@' with something on each side, no spaces.
func plausibleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " \t\r\n<>")
}
