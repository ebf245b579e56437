package chatra

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
)

// The events Chatra sends, by eventName.
const (
	eventStarted    = "chatStarted"
	eventFragment   = "chatFragment"
	eventTranscript = "chatTranscript"
)

// Limits on what the handler takes.
const (
	maxBodyBytes = 1 << 20
	// maxConversationBytes is the longest conversation id the tickets domain accepts.
	maxConversationBytes = 256
)

// payload is a Chatra webhook, read leniently: only eventName, client.id, client.chatId,
// client.displayedName, client.info, agents[].id and messages[].id/type/text/createdAt are
// confirmed (docs/chatra.md), so every field is optional, a field of an unexpected type
// counts as missing, and unknown fields are ignored. The body is decoded into plain maps
// (numbers kept as written) and picked apart with the helpers below.
type payload struct {
	event    string
	root     map[string]any
	client   map[string]any
	clientID string // the visitor: the conversation id, and where replies go
	agents   map[string]agent
	messages []message
}

// agent is a Chatra agent as the webhook's agents array names them.
type agent struct {
	name, email string
}

// parsePayload decodes body. Its only errors are *httpsrc.RequestError (400): malformed JSON,
// not an object, or (for the events it handles) no client.id.
func parsePayload(body []byte) (*payload, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, httpsrc.BadRequest("malformed JSON: data after the top-level value")
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, httpsrc.BadRequest("the body must be a JSON object")
	}
	p := &payload{event: str(root, "eventName"), root: root, client: obj(root["client"])}
	switch p.event {
	case eventStarted, eventFragment, eventTranscript:
	default:
		return p, nil // ignored: nothing more to check
	}
	p.clientID = strings.TrimSpace(str(p.client, "id"))
	if p.clientID == "" {
		return nil, httpsrc.BadRequest("missing field: client.id")
	}
	if len(p.clientID) > maxConversationBytes {
		return nil, httpsrc.BadRequest("field client.id is longer than %d bytes", maxConversationBytes)
	}
	p.agents = parseAgents(arr(root["agents"]))
	for _, m := range arr(root["messages"]) {
		if mo := obj(m); mo != nil {
			p.messages = append(p.messages, parseMessage(mo))
		}
	}
	return p, nil
}

// jsonError describes a decoding error without quoting the body.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return httpsrc.BadRequest("malformed JSON at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return httpsrc.BadRequest("malformed JSON: unexpected end of JSON input")
	}
	return httpsrc.BadRequest("malformed JSON: %v", err)
}

// parseAgents indexes the agents array by id.
func parseAgents(list []any) map[string]agent {
	agents := map[string]agent{}
	for _, a := range list {
		ao := obj(a)
		if id := str(ao, "id", "_id"); id != "" {
			agents[id] = agent{name: str(ao, "name", "displayedName", "fullName"), email: str(ao, "email")}
		}
	}
	return agents
}

// groupID is the Chatra group (department) the chat belongs to, wherever it is given.
func (p *payload) groupID() string {
	if g := str(p.client, "groupId"); g != "" {
		return g
	}
	if g := str(p.root, "groupId"); g != "" {
		return g
	}
	return str(obj(p.root["chat"]), "groupId")
}

// chatOver reports whether a transcript says the chat is over. Whether Chatra sends
// transcripts only for ended chats or also for idle ones is not confirmed, and no field
// saying which is known. So: when a status-like field is present, it decides (closed,
// ended or finished → over; anything else, e.g. "idle" → not); when none is, the chat
// counts as over, since a transcript is only sent once a chat ended or went quiet.
func (p *payload) chatOver() bool {
	chat := obj(p.root["chat"])
	for _, m := range []map[string]any{chat, p.root} {
		for _, k := range []string{"status", "state", "chatStatus", "chatState"} {
			if s := str(m, k); s != "" {
				switch strings.ToLower(s) {
				case "closed", "ended", "finished":
					return true
				}
				return false
			}
		}
		for _, k := range []string{"closed", "ended", "finished", "isClosed", "isEnded", "isFinished"} {
			if b, ok := m[k].(bool); ok {
				return b
			}
		}
	}
	return true
}

// obj is v as a JSON object, or nil.
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// arr is v as a JSON array, or nil.
func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

// scalar is v as text when it is a string, number or boolean (numbers as written).
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// str is the first of m's keys holding a non-empty scalar, as text; "" when none does.
func str(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := scalar(m[k]); ok && s != "" {
			return s
		}
	}
	return ""
}
