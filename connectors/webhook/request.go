package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// The event types a chatbot sends.
const (
	typeRequest = "LIVE_CHAT_REQUEST"
	typeMessage = "MESSAGE"
	typeEnd     = "END"
	typeCSAT    = "CSAT"
	typeEdited  = "MESSAGE_EDITED"
	typeDeleted = "MESSAGE_DELETED"
)

// Limits on an inbound event, in bytes unless said otherwise. The ones the tickets domain
// also enforces are checked here first so the error names the JSON field.
const (
	maxBodyBytes         = 1 << 20
	maxIDBytes           = 256 // member, channel, app, message_id
	maxLabelBytes        = 80
	maxSummaryBytes      = 4000
	maxProfileFields     = 100
	maxProfileKeyBytes   = 256
	maxProfileValueBytes = 2000
	maxReasonBytes       = 2000
	maxURLBytes          = 2000
	maxNameBytes         = 256 // an attachment's name and mime
)

// attachment is a file sent by link, in both directions; Size (bytes) when known.
type attachment struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
	MIME string `json:"mime,omitempty"`
	Size int64  `json:"size,omitempty"`
}

// historyLine is one message of the chatbot's conversation before the hand-off, as a
// LIVE_CHAT_REQUEST's history carries it.
type historyLine struct {
	From string `json:"from"`
	Text string `json:"text"`
	At   string `json:"at"`
}

// inbound is the JSON body of a chatbot's event; which fields count depends on Type.
type inbound struct {
	Type        string                     `json:"type"`
	Member      string                     `json:"member"`
	Channel     string                     `json:"channel"`
	App         string                     `json:"app"`
	MessageID   string                     `json:"message_id"`
	Text        string                     `json:"text"`
	Attachments []attachment               `json:"attachments"`
	Label       string                     `json:"label"`
	Summary     string                     `json:"summary"`
	Profile     map[string]json.RawMessage `json:"profile"`
	Reason      string                     `json:"reason"`
	Rating      *int                       `json:"rating"`
	Comment     string                     `json:"comment"`
	History     []historyLine              `json:"history"`

	conversation string                // conversationID(App, Channel, Member), once valid
	customer     tickets.Customer      // from Member and Profile (LIVE_CHAT_REQUEST), once valid
	history      []tickets.HistoryLine // from History (LIVE_CHAT_REQUEST), once valid
}

// parseInbound decodes and checks body. Every error is a *httpsrc.RequestError (400) that names
// the field at fault.
func parseInbound(body []byte) (*inbound, error) {
	var in inbound
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, jsonError(err)
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	return &in, nil
}

// jsonError describes a decoding error without quoting the body.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return httpsrc.BadRequest("the body must be a JSON object")
		}
		return httpsrc.BadRequest("field %s must not be a JSON %s", te.Field, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return httpsrc.BadRequest("malformed JSON at byte %d: %v", se.Offset, se)
	}
	return httpsrc.BadRequest("malformed JSON: %v", err)
}

func (in *inbound) validate() error {
	switch in.Type {
	case "":
		return httpsrc.BadRequest("missing field: type")
	case typeRequest, typeMessage, typeEnd, typeCSAT, typeEdited, typeDeleted:
	default:
		return httpsrc.BadRequest("unknown type %q: want %s, %s, %s, %s, %s or %s",
			tickets.Clip(in.Type, 40), typeRequest, typeMessage, typeEdited, typeDeleted, typeEnd, typeCSAT)
	}
	for _, f := range []struct{ name, v string }{{"member", in.Member}, {"channel", in.Channel}, {"app", in.App}} {
		if err := required(f.name, f.v, maxIDBytes); err != nil {
			return err
		}
	}
	in.conversation = conversationID(in.App, in.Channel, in.Member)
	if len(in.conversation) > maxConversationBytes {
		return httpsrc.BadRequest("fields app, channel and member are longer than %d bytes together "+
			"(URL path-escaped and joined by '/')", maxConversationBytes)
	}
	switch in.Type {
	case typeRequest:
		return in.validateRequest()
	case typeMessage:
		return in.validateMessage()
	case typeEnd:
		return maxLen("reason", in.Reason, maxReasonBytes)
	case typeEdited:
		return firstErr(required("message_id", in.MessageID, maxIDBytes), required("text", in.Text, tickets.MaxTextBytes))
	case typeDeleted:
		return required("message_id", in.MessageID, maxIDBytes)
	default:
		return in.validateCSAT()
	}
}

func (in *inbound) validateRequest() error {
	if err := firstErr(
		maxLen("label", in.Label, maxLabelBytes),
		maxLen("summary", in.Summary, maxSummaryBytes),
		maxLen("message_id", in.MessageID, maxIDBytes),
		maxLen("text", in.Text, tickets.MaxTextBytes),
		validAttachments(in.Attachments),
	); err != nil {
		return err
	}
	h, err := parseHistory(in.History)
	if err != nil {
		return err
	}
	in.history = h
	c, err := parseCustomer(in.Member, in.Profile)
	in.customer = c
	return err
}

// parseHistory checks a live chat request's history and turns it into the ticket's: at
// most tickets.MaxHistoryLines lines, each from "customer" or "bot" with a text and an
// RFC 3339 time, the texts together at most tickets.MaxHistoryBytes.
func parseHistory(lines []historyLine) ([]tickets.HistoryLine, error) {
	if len(lines) > tickets.MaxHistoryLines {
		return nil, httpsrc.BadRequest("field history has more than %d items", tickets.MaxHistoryLines)
	}
	out := make([]tickets.HistoryLine, 0, len(lines))
	total := 0
	for i, l := range lines {
		field := func(name string) string { return "history[" + strconv.Itoa(i) + "]." + name }
		from := tickets.HistoryAuthor(l.From)
		if from != tickets.HistoryCustomer && from != tickets.HistoryBot {
			return nil, httpsrc.BadRequest("field %s must be %q or %q", field("from"), tickets.HistoryCustomer, tickets.HistoryBot)
		}
		if err := required(field("text"), l.Text, tickets.MaxHistoryLineBytes); err != nil {
			return nil, err
		}
		if l.At == "" {
			return nil, httpsrc.BadRequest("missing field: %s", field("at"))
		}
		at, err := time.Parse(time.RFC3339Nano, l.At)
		if at = at.UTC(); err != nil || at.Year() < 1 || at.Year() > 9999 || at.IsZero() {
			return nil, httpsrc.BadRequest("field %s must be an RFC 3339 time, like 2026-01-02T15:04:05Z", field("at"))
		}
		total += len(l.Text)
		out = append(out, tickets.HistoryLine{From: from, Text: l.Text, At: at})
	}
	if total > tickets.MaxHistoryBytes {
		return nil, httpsrc.BadRequest("field history holds %d bytes of text, more than %d", total, tickets.MaxHistoryBytes)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (in *inbound) validateMessage() error {
	if err := required("message_id", in.MessageID, maxIDBytes); err != nil {
		return err
	}
	if in.Text == "" && len(in.Attachments) == 0 {
		return httpsrc.BadRequest("missing field: text (or attachments)")
	}
	if err := maxLen("text", in.Text, tickets.MaxTextBytes); err != nil {
		return err
	}
	return validAttachments(in.Attachments)
}

func (in *inbound) validateCSAT() error {
	if in.Rating == nil {
		return httpsrc.BadRequest("missing field: rating")
	}
	if *in.Rating < 1 || *in.Rating > 5 {
		return httpsrc.BadRequest("field rating must be 1 to 5")
	}
	return maxLen("comment", in.Comment, tickets.MaxCSATComment)
}

func validAttachments(as []attachment) error {
	if len(as) > tickets.MaxAttachments {
		return httpsrc.BadRequest("field attachments has more than %d items", tickets.MaxAttachments)
	}
	for i, a := range as {
		field := func(name string) string { return "attachments[" + strconv.Itoa(i) + "]." + name }
		if err := required(field("url"), a.URL, maxURLBytes); err != nil {
			return err
		}
		if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return httpsrc.BadRequest("field %s must be an absolute http or https URL", field("url"))
		}
		if err := firstErr(maxLen(field("name"), a.Name, maxNameBytes), maxLen(field("mime"), a.MIME, maxNameBytes)); err != nil {
			return err
		}
	}
	return nil
}

// parseCustomer builds the customer of a live chat request: member is its id; the
// profile's name, email and phone fill those fields, every other field goes to Fields.
// Strings are kept as given, numbers and booleans as their JSON text, nulls are dropped.
func parseCustomer(member string, profile map[string]json.RawMessage) (tickets.Customer, error) {
	c := tickets.Customer{ID: member}
	if len(profile) > maxProfileFields {
		return c, httpsrc.BadRequest("field profile has more than %d fields", maxProfileFields)
	}
	keys := make([]string, 0, len(profile))
	for k := range profile {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first bad field named is the same every time
	for _, k := range keys {
		if k == "" || len(k) > maxProfileKeyBytes {
			return c, httpsrc.BadRequest("field profile has a field name that is empty or longer than %d bytes", maxProfileKeyBytes)
		}
		name := "profile." + tickets.Clip(k, 64)
		v, ok, err := profileValue(profile[k])
		if err != nil {
			return c, httpsrc.BadRequest("field %s must be a string, number or boolean", name)
		}
		if !ok {
			continue
		}
		if err := maxLen(name, v, maxProfileValueBytes); err != nil {
			return c, err
		}
		switch k {
		case "name":
			c.Name = v
		case "email":
			c.Email = v
		case "phone":
			c.Phone = v
		default:
			if c.Fields == nil {
				c.Fields = map[string]string{}
			}
			c.Fields[k] = v
		}
	}
	return c, nil
}

// profileValue turns one profile value into text; ok is false for null.
func profileValue(raw json.RawMessage) (v string, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", false, nil
	case raw[0] == '"':
		err := json.Unmarshal(raw, &v)
		return v, err == nil, err
	case raw[0] == '{' || raw[0] == '[':
		return "", false, errors.New("not a scalar")
	default: // a number, true or false, already valid JSON
		return string(raw), true, nil
	}
}

// message is the customer's message the event carries, or nil when it carries none.
// ticketInbound is what the event says happened, for the ticket service.
func (in *inbound) ticketInbound() tickets.Inbound {
	out := tickets.Inbound{Source: Source, ConversationID: in.conversation}
	if m := in.message(); m != nil {
		out.Messages = []tickets.Message{*m}
	}
	switch in.Type {
	case typeRequest:
		out.Request = &tickets.Request{Customer: in.customer, Label: in.Label, Summary: in.Summary, History: in.history}
	case typeMessage:
	case typeEdited:
		out.Messages, out.Changes = nil, []tickets.MessageChange{{SourceMessageID: in.MessageID, Text: in.Text}}
	case typeDeleted:
		out.Messages, out.Changes = nil, []tickets.MessageChange{{SourceMessageID: in.MessageID, Delete: true}}
	case typeEnd:
		reason := in.Reason
		if reason == "" {
			reason = "ended by the chatbot"
		}
		out.Messages, out.Close = nil, &tickets.SourceClose{Reason: reason}
	default: // typeCSAT
		out.Messages, out.Rating = nil, &tickets.Rating{Stars: *in.Rating, Comment: in.Comment}
	}
	return out
}

func (in *inbound) message() *tickets.Message {
	if in.Text == "" && len(in.Attachments) == 0 {
		return nil
	}
	m := &tickets.Message{Direction: tickets.FromCustomer, Text: in.Text, SourceMessageID: in.MessageID}
	for _, a := range in.Attachments {
		m.Attachments = append(m.Attachments, tickets.Attachment{URL: a.URL, Name: a.Name, MIME: a.MIME, Size: max(a.Size, 0), Upload: true})
	}
	return m
}

func required(name, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return httpsrc.BadRequest("missing field: %s", name)
	}
	return maxLen(name, v, max)
}

func maxLen(name, v string, max int) error {
	if len(v) > max {
		return httpsrc.BadRequest("field %s is longer than %d bytes", name, max)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
