package chatra

import (
	"net/url"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Chatra's message types (messages[].type).
const (
	typeClient = "client"
	typeAgent  = "agent"
)

// unnamedAgent names a Chatra agent the webhook does not name.
const unnamedAgent = "Chatra agent"

// maxURLBytes bounds an attachment's link.
const maxURLBytes = 2000

// message is one entry of a webhook's messages array. Chatra's messages carry id, type,
// text and createdAt (docs/chatra.md); the other fields and spellings are read when
// present.
type message struct {
	id           string // Chatra's id; "" when the webhook gives none
	kind         string // typeClient, typeAgent, or something else (skipped)
	text         string
	agentID      string
	receivedFrom string
	at           string // the first timestamp field found, as given; "" when none
	attachments  []tickets.Attachment
}

// timestampKeys are the fields a message's time may be under: Chatra's is createdAt;
// the others are read for payloads without it. The value as given tells apart equal
// messages (see sourceIDs); parsed (see messageTime), it is the message's time.
var timestampKeys = []string{"createdAt", "created", "timestamp", "ts", "date", "time", "sentAt"}

func parseMessage(m map[string]any) message {
	msg := message{
		id:           str(m, "id", "_id"),
		kind:         strings.ToLower(str(m, "type")),
		agentID:      str(m, "agentId"),
		receivedFrom: str(m, "receivedFrom"),
		at:           str(m, timestampKeys...),
		attachments:  parseAttachments(m),
	}
	// Chatra's field is "text"; two working consumers read "message": take both.
	msg.text = str(m, "text")
	if msg.text == "" {
		msg.text = str(m, "message")
	}
	return msg
}

// parseAttachments collects the files a message links to. Chatra's webhook format for
// files is not known, so every plausible field is read: file, files, attachment,
// attachments, each an object with a link (url, link, href, src) or just the link, and
// only absolute http(s) links are kept.
func parseAttachments(m map[string]any) []tickets.Attachment {
	var items []any
	for _, k := range []string{"file", "attachment"} {
		if v, ok := m[k]; ok {
			items = append(items, v)
		}
	}
	for _, k := range []string{"files", "attachments"} {
		items = append(items, arr(m[k])...)
	}
	var out []tickets.Attachment
	for _, it := range items {
		a := tickets.Attachment{}
		if s, ok := it.(string); ok {
			a.URL = s
		} else if o := obj(it); o != nil {
			a = tickets.Attachment{
				URL:  str(o, "url", "link", "href", "src"),
				Name: tickets.Clip(str(o, "name", "fileName", "filename", "title"), 256),
				MIME: tickets.Clip(str(o, "mime", "mimeType", "contentType", "type"), 256),
			}
		}
		if validURL(a.URL) && len(out) < tickets.MaxAttachments {
			out = append(out, a)
		}
	}
	return out
}

func validURL(s string) bool {
	if s == "" || len(s) > maxURLBytes {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// relayable reports whether m is worth a message in Slack: a visitor's or an agent's
// message with text or files, that Frontdesk did not send itself (marker is our
// receivedFrom: such a message is the echo of a Slack agent's reply).
func (m message) relayable(marker string) bool {
	if m.text == "" && len(m.attachments) == 0 {
		return false
	}
	switch m.kind {
	case typeClient:
		return true
	case typeAgent:
		return !strings.EqualFold(strings.TrimSpace(m.receivedFrom), marker)
	}
	return false
}

// ticketMessage is m for the ticket service, with id as its SourceMessageID and its time
// (messageTime; zero, for the service to stamp, when it has none worth taking at now): a
// visitor's message, or an agent's written in Chatra (named from agents by the message's
// agentId).
func (m message) ticketMessage(id string, agents map[string]agent, now time.Time) tickets.Message {
	tm := tickets.Message{
		Direction:       tickets.FromCustomer,
		Text:            tickets.Clip(m.text, tickets.MaxTextBytes),
		Attachments:     m.attachments,
		SourceMessageID: id,
		At:              messageTime(m.at, now),
	}
	if m.kind == typeAgent {
		tm.Direction = tickets.FromSourceAgent
		tm.Author = tickets.Agent{Name: unnamedAgent}
		if a, ok := agents[m.agentID]; ok && m.agentID != "" {
			if a.name != "" {
				tm.Author.Name = tickets.Clip(a.name, 256)
			}
			tm.Author.Email = tickets.Clip(a.email, 256)
		}
	}
	return tm
}
