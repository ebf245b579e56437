package tickets

import (
	"strconv"
	"strings"
)

// SavedReply is a reply the team keeps ready (Settings.SavedReplies): an agent picks it in
// an inbox channel, may change it, and sends it to the customer as their own message. Its
// Text may hold placeholders (RenderReply).
type SavedReply struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// Limits on the saved replies: how many, a name (Slack shows at most 75 characters of an
// option) and a text.
const (
	MaxSavedReplies     = 50
	MaxSavedReplyName   = 75
	MaxSavedReplyText   = 3000
	savedReplySeparator = "---"
)

// validateSavedReplies reports the first problem with rs.
func validateSavedReplies(rs []SavedReply) error {
	if len(rs) > MaxSavedReplies {
		return invalidf("%d saved replies are more than %d", len(rs), MaxSavedReplies)
	}
	names := map[string]bool{}
	for _, r := range rs {
		name := strings.TrimSpace(r.Name)
		switch {
		case name == "" || name != r.Name:
			return invalidf("a saved reply has an empty name, or spaces around it")
		case len(name) > MaxSavedReplyName || strings.ContainsAny(name, ":\n\r"):
			return invalidf("saved reply name %q is longer than %d characters or has ':' or a line break in it", Clip(name, 60), MaxSavedReplyName)
		case names[strings.ToLower(name)]:
			return invalidf("saved reply %q is listed twice", name)
		case strings.TrimSpace(r.Text) == "":
			return invalidf("saved reply %q has no text", name)
		case len(r.Text) > MaxSavedReplyText:
			return invalidf("saved reply %q is longer than %d characters", name, MaxSavedReplyText)
		case strings.TrimSpace(r.Text) == savedReplySeparator:
			return invalidf("saved reply %q is only %q", name, savedReplySeparator)
		}
		names[strings.ToLower(name)] = true
	}
	return nil
}

// SavedReplyNamed finds the saved reply called name (case ignored).
func (s *Settings) SavedReplyNamed(name string) (SavedReply, bool) {
	for _, r := range s.SavedReplies {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) {
			return r, true
		}
	}
	return SavedReply{}, false
}

// RenderReply fills a saved reply's placeholders for ticket t, sent by agent a:
// {customer_name} (the customer's name, or "there" when the source gave none),
// {agent_name}, {ticket} ("#135"). Anything else in braces stays as written.
func RenderReply(text string, t *Ticket, a Agent) string {
	customer := t.Customer.Name
	if strings.TrimSpace(customer) == "" {
		customer = "there"
	}
	agent := a.Name
	if agent == "" {
		agent = "your agent"
	}
	return strings.NewReplacer(
		"{customer_name}", customer,
		"{agent_name}", agent,
		"{ticket}", "#"+strconv.FormatInt(t.Number, 10),
	).Replace(text)
}
