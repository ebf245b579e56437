package tickets

import (
	"strings"
	"time"
)

// Direction says which way a message travels.
type Direction string

const (
	// FromCustomer: the customer wrote it at the source; it goes to the agent in Slack.
	FromCustomer Direction = "customer"
	// FromAgent: an agent wrote it in the inbox channel; it goes to the customer.
	FromAgent Direction = "agent"
	// Internal: a thread reply in the inbox channel. It stays in Slack.
	Internal Direction = "internal"
	// FromSourceAgent: someone answered from the source's own interface (e.g. Chatra's
	// app). It is shown in Slack, marked as such, and never sent back to the source.
	FromSourceAgent Direction = "source_agent"
	// Notice: a message from Frontdesk itself to the customer (picked, transfer accepted,
	// ended), rendered from the customer-facing templates.
	Notice Direction = "notice"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool {
	switch d {
	case FromCustomer, FromAgent, Internal, Notice, FromSourceAgent:
		return true
	}
	return false
}

// Attachment is a file that goes with a message, by link.
type Attachment struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
	MIME string `json:"mime,omitempty"`
	// Size is the file's size in bytes, when known (0: not known).
	Size int64 `json:"size,omitempty"`
	// Upload: anyone can fetch URL (no credentials), so the desk shares a customer's file
	// in Slack as a Slack file rather than as a link.
	Upload bool `json:"upload,omitempty"`
}

// WithLinks is text followed by the attachments, one link a line ("name: url"), for a
// source whose messages carry text only (Chatra, Gladly's replies).
func WithLinks(text string, atts []Attachment) string {
	var b strings.Builder
	b.WriteString(text)
	for _, a := range atts {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if a.Name != "" {
			b.WriteString(a.Name + ": ")
		}
		b.WriteString(a.URL)
	}
	return b.String()
}

// Message is one message of a live chat.
type Message struct {
	ID        string    `json:"id"`
	Direction Direction `json:"direction"`
	// Author is who wrote it: the agent for agent messages and notes, zero for the customer.
	Author      Agent        `json:"author,omitempty"`
	Text        string       `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// SourceMessageID is the message's id where it was written: the source's id for a
	// customer message, the Slack ts for an agent message or note. Each is relayed at most
	// once per ticket.
	SourceMessageID string    `json:"source_message_id,omitempty"`
	At              time.Time `json:"at"`
	// EditedAt is when its text was last changed where it was written (zero: never).
	EditedAt time.Time `json:"edited_at,omitzero"`
	// Deleted: it was deleted where it was written; it keeps no text nor attachments.
	Deleted bool `json:"deleted,omitempty"`
}

// Limits on what a message may carry.
const (
	MaxTextBytes   = 40000 // Slack's own limit for a message's text
	MaxAttachments = 20
	maxIDBytes     = 256
)

func (m *Message) validate() error {
	if !m.Direction.Valid() {
		return invalidf("message direction %q", m.Direction)
	}
	if m.Text == "" && len(m.Attachments) == 0 {
		return invalidf("message has neither text nor attachments")
	}
	if len(m.Text) > MaxTextBytes {
		return invalidf("message text is %d bytes, more than %d", len(m.Text), MaxTextBytes)
	}
	if len(m.Attachments) > MaxAttachments {
		return invalidf("message has %d attachments, more than %d", len(m.Attachments), MaxAttachments)
	}
	for i, a := range m.Attachments {
		if a.URL == "" {
			return invalidf("attachment %d has no url", i)
		}
	}
	if len(m.SourceMessageID) > maxIDBytes {
		return invalidf("source message id is longer than %d bytes", maxIDBytes)
	}
	return nil
}
