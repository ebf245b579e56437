package vitally

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Trait types, as Vitally names them.
const (
	typeString   = "string"
	typeTextarea = "textarea"
	typeDatetime = "datetime"
	typeNumber   = "number"
)

// Trait is one field of the custom object: its name in Vitally (the trait's label) and
// its type there.
type Trait struct {
	Label, Type string
}

// Traits are the custom object's traits Frontdesk fills (custom categories aside), to
// create in Vitally.
func Traits() []Trait { return slices.Clone(traits) }

// traits are the custom object's traits Frontdesk fills, in the order docs/vitally.md
// lists them. Custom categories add one string trait each, named as the category.
var traits = []Trait{
	{"AI Tags", typeString},
	{"Assigned To", typeString},
	{"CSAT", typeTextarea},
	{"First Response Minutes", typeNumber},
	{"Customer Thread", typeTextarea},
	{"Tags", typeString},
	{"Internal Thread", typeTextarea},
	{"Message Text", typeTextarea},
	{"Permalink", typeString},
	{"Request Closed At", typeDatetime},
	{"Request Closed By", typeString},
	{"Request Created At", typeDatetime},
	{"Request Internal Notification Link", typeString},
	{"Requestor", typeString},
	{"Resolution Minutes", typeNumber},
	{"Request Updated At", typeDatetime},
	{"Request Web Link", typeString},
	{"Sentiment", typeString},
	{"SLA Breaches", typeString},
	{"Status", typeString},
	{"Summary", typeTextarea},
	{"Request Id", typeNumber},
	{"Title", typeTextarea},
	{"Urgency", typeString},
}

// maxThread bounds a thread trait: the start of a long chat is kept, and the rest is
// said to be left out.
const maxThread = 60000

// instanceName is the instance's name in Vitally.
func instanceName(t *tickets.Ticket) string {
	return "Frontdesk Request ID: " + strconv.FormatInt(t.Number, 10)
}

// externalID is the instance's externalId: the ticket, so writes are keyed on it.
func externalID(t *tickets.Ticket) string { return "frontdesk-" + string(t.ID) }

// values are the ticket's trait values by label: nil for what the ticket does not have
// (sent as empty, never invented). Threads and links are read from the store and Slack.
func (s *Sink) values(ctx context.Context, t *tickets.Ticket) (map[string]any, error) {
	msgs, err := s.d.Store.Messages(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	v := map[string]any{
		"Assigned To":        agentName(t.Assignee),
		"CSAT":               csatText(t.CSAT),
		"Customer Thread":    thread(msgs, t, false),
		"Internal Thread":    thread(msgs, t, true),
		"Message Text":       firstMessage(msgs, t),
		"Request Closed At":  timeValue(t.ClosedAt),
		"Request Closed By":  closedBy(t),
		"Request Created At": timeValue(t.CreatedAt),
		"Requestor":          requestor(t.Customer),
		"Request Updated At": timeValue(t.UpdatedAt),
		"Status":             statusText(t.Status),
		"Summary":            t.Summary,
		"Request Id":         t.Number,
		"Title":              t.Title,
		"Urgency":            t.Urgency.Label(),
		"Sentiment":          t.Sentiment.Label(),
		"Tags":               strings.Join(t.Tags, ", "),
		"AI Tags":            strings.Join(t.AITags, ", "),
		// The SLA clocks, in the team's business time (tickets.SLAReport): minutes to the
		// first response and to the resolution once each came, and the clocks that
		// breached their targets ("First reply, Resolution"; "" for none).
		"First Response Minutes": minutes(t.Measured.FirstResponse, t.Measured.Responded),
		"Resolution Minutes":     minutes(t.Measured.Resolution, t.Measured.Resolved),
		"SLA Breaches":           breaches(t.Measured.Breached),
	}
	if v["Permalink"], err = s.permalink(ctx, t, tickets.IntroCard); err != nil {
		return nil, err
	}
	if v["Request Internal Notification Link"], err = s.cardLink(ctx, t); err != nil {
		return nil, err
	}
	return v, nil
}

// permalink is the Slack link to the message the ticket recorded under key, or "": for a
// ticket answered in a customer channel's thread (no inbox channel), the customer's
// message that began it.
func (s *Sink) permalink(ctx context.Context, t *tickets.Ticket, key string) (string, error) {
	if channel, ts, ok := tickets.SplitChannelConversation(t.ConversationID); t.InThread() && ok {
		return s.link(ctx, tickets.Card{Channel: channel, TS: ts})
	}
	c, err := s.d.Store.CardOf(ctx, t.ID, key)
	if err != nil || c.IsZero() {
		return "", ignoreNotFound(err)
	}
	return s.link(ctx, c)
}

// cardLink is the Slack link to the ticket's current card, or "".
func (s *Sink) cardLink(ctx context.Context, t *tickets.Ticket) (string, error) {
	if t.Card.IsZero() {
		return "", nil
	}
	return s.link(ctx, t.Card)
}

func (s *Sink) link(ctx context.Context, c tickets.Card) (string, error) {
	if s.d.Permalink == nil {
		return "", nil
	}
	return s.d.Permalink(ctx, c.Channel, c.TS)
}

// payload turns values into the traits to send, keyed by the paths of the object's
// fields: empty values as "" (strings) or null (times, numbers). It also returns the
// labels Vitally has no field for, which are left out and reported.
func payload(values map[string]any, fields map[string]customField, categories map[string]string) (map[string]any, []string) {
	out := map[string]any{}
	var missing []string
	put := func(label string, v any) {
		f, ok := fields[strings.ToLower(label)]
		if !ok {
			missing = append(missing, label)
			return
		}
		out[f.Path] = convert(v, f.Type)
	}
	for _, tr := range traits {
		put(tr.Label, values[tr.Label])
	}
	for name, value := range categories {
		put(name, value)
	}
	return out, missing
}

// convert makes v fit a field of type typ: "" and zero values of text fields stay "",
// empty times and numbers become null.
func convert(v any, typ string) any {
	switch x := v.(type) {
	case nil:
		if typ == typeString || typ == typeTextarea {
			return ""
		}
		return nil
	case string:
		if x == "" && typ != typeString && typ != typeTextarea {
			return nil
		}
		return x
	case int64:
		if typ == typeString || typ == typeTextarea {
			return strconv.FormatInt(x, 10)
		}
		return x
	}
	return v
}

func ignoreNotFound(err error) error {
	if err != nil && isNotFound(err) {
		return nil
	}
	return err
}

func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func agentName(a tickets.Agent) any {
	switch {
	case a.Name != "":
		return a.Name
	case a.ID != "":
		return string(a.ID)
	}
	return nil
}

func closedBy(t *tickets.Ticket) any {
	if t.Status != tickets.StatusClosed {
		return nil
	}
	if n := agentName(t.ClosedBy); n != nil {
		return n
	}
	return "the customer's side (" + t.Source + ")"
}

// statusText is the Status trait: the status as agents read it ("Waiting on customer").
func statusText(s tickets.Status) string { return s.Label() }

func csatText(c *tickets.CSAT) any {
	if c == nil {
		return nil
	}
	s := fmt.Sprintf("%d/5", c.Rating)
	if c.Comment != "" {
		s += ": " + c.Comment
	}
	return s
}

func requestor(c tickets.Customer) string {
	name := c.DisplayName()
	if c.Email != "" && c.Email != name {
		return name + " <" + c.Email + ">"
	}
	return name
}

// firstMessage is the customer's message that opened the request.
func firstMessage(msgs []tickets.Message, t *tickets.Ticket) any {
	for _, m := range msgs {
		if m.Direction == tickets.FromCustomer {
			return messageText(m)
		}
	}
	if t.Opening != "" {
		return t.Opening
	}
	return nil
}

// thread is the chat as text, one message per line with its time and author: the
// customer-visible conversation (after what the customer and the source's bot said
// before the hand-off, marked so), or the internal notes.
func thread(msgs []tickets.Message, t *tickets.Ticket, internal bool) any {
	var b strings.Builder
	left := 0
	if !internal {
		for _, l := range t.History {
			who := t.Customer.DisplayName()
			if l.From == tickets.HistoryBot {
				who = "Bot"
			}
			line := fmt.Sprintf("[%s] %s (before the hand-off): %s\n", l.At.UTC().Format("2006-01-02 15:04 UTC"), who, l.Text)
			if b.Len()+len(line) > maxThread {
				left++
				continue
			}
			b.WriteString(line)
		}
	}
	for _, m := range msgs {
		if (m.Direction == tickets.Internal) != internal {
			continue
		}
		line := fmt.Sprintf("[%s] %s: %s\n", m.At.UTC().Format("2006-01-02 15:04 UTC"), author(m, t), messageText(m))
		if b.Len()+len(line) > maxThread {
			left++
			continue
		}
		b.WriteString(line)
	}
	if left > 0 {
		fmt.Fprintf(&b, "(%d more messages not shown)\n", left)
	}
	if b.Len() == 0 {
		return nil
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func author(m tickets.Message, t *tickets.Ticket) string {
	switch m.Direction {
	case tickets.FromCustomer:
		return t.Customer.DisplayName()
	case tickets.Notice:
		return "Frontdesk"
	case tickets.FromSourceAgent:
		if n := agentName(m.Author); n != nil {
			return n.(string) + " (via " + t.Source + ")"
		}
		return t.Source
	}
	if n := agentName(m.Author); n != nil {
		return n.(string)
	}
	return "Agent"
}

func messageText(m tickets.Message) string {
	if m.Deleted {
		return "(deleted where it was written)"
	}
	s := m.Text
	for _, a := range m.Attachments {
		name := a.Name
		if name == "" {
			name = "file"
		}
		s += " [" + name + "]"
	}
	if !m.EditedAt.IsZero() {
		s += " (edited)"
	}
	return strings.TrimSpace(s)
}

// minutes is d in whole minutes (rounded), or nil when it was not measured.
func minutes(d time.Duration, measured bool) any {
	if !measured {
		return nil
	}
	return int64(d.Round(time.Minute) / time.Minute)
}

// breaches names the clocks that breached, as agents read them.
func breaches(kinds []tickets.SLAKind) string {
	names := map[tickets.SLAKind]string{tickets.SLAFirstResponse: "First reply", tickets.SLANextResponse: "Next reply", tickets.SLAResolution: "Resolution"}
	var out []string
	for _, k := range kinds {
		out = append(out, names[k])
	}
	return strings.Join(out, ", ")
}
