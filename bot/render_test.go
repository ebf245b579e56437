package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// checkLimits fails t when blocks break one of Slack's Block Kit limits (block count,
// text lengths, fields per section, button and option sizes). maxBlocks is 50 for a
// message and 100 for a modal.
func checkLimits(t *testing.T, what string, blocks []slack.Block, maxBlocks int) {
	t.Helper()
	if len(blocks) > maxBlocks {
		t.Errorf("%s: %d blocks, more than %d", what, len(blocks), maxBlocks)
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var bs []map[string]any
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatal(err)
	}
	text := func(v any) string {
		m, _ := v.(map[string]any)
		s, _ := m["text"].(string)
		return s
	}
	limit := func(where, s string, max int) {
		if utf8.RuneCountInString(s) > max {
			t.Errorf("%s: %s is %d characters, more than %d", what, where, utf8.RuneCountInString(s), max)
		}
	}
	element := func(where string, e map[string]any) {
		switch e["type"] {
		case "button":
			limit(where+" button text", text(e["text"]), 75)
			v, _ := e["value"].(string)
			limit(where+" button value", v, 2000)
		case "plain_text_input":
			limit(where+" placeholder", text(e["placeholder"]), 150)
			v, _ := e["initial_value"].(string)
			limit(where+" initial value", v, 3000)
		}
		if id, _ := e["action_id"].(string); len(id) > 255 {
			t.Errorf("%s: action_id %q is too long", what, id)
		}
		opts, _ := e["options"].([]any)
		if len(opts) > 100 {
			t.Errorf("%s: %s has %d options, more than 100", what, where, len(opts))
		}
		for _, o := range opts {
			om, _ := o.(map[string]any)
			limit(where+" option text", text(om["text"]), 75)
			v, _ := om["value"].(string)
			limit(where+" option value", v, 150)
		}
	}
	for i, b := range bs {
		where := fmt.Sprintf("block %d (%v)", i, b["type"])
		switch b["type"] {
		case "header":
			limit(where, text(b["text"]), 150)
		case "section":
			limit(where+" text", text(b["text"]), 3000)
			fields, _ := b["fields"].([]any)
			if len(fields) > 10 {
				t.Errorf("%s: %s has %d fields, more than 10", what, where, len(fields))
			}
			for _, f := range fields {
				limit(where+" field", text(f), 2000)
			}
		case "context":
			els, _ := b["elements"].([]any)
			if len(els) > 10 {
				t.Errorf("%s: %s has %d elements", what, where, len(els))
			}
			for _, e := range els {
				limit(where+" element", text(e), 2000)
			}
		case "actions":
			els, _ := b["elements"].([]any)
			for _, e := range els {
				em, _ := e.(map[string]any)
				element(where, em)
			}
		case "input":
			limit(where+" label", text(b["label"]), 2000)
			limit(where+" hint", text(b["hint"]), 2000)
			em, _ := b["element"].(map[string]any)
			element(where, em)
		}
		if id, _ := b["block_id"].(string); len(id) > 255 {
			t.Errorf("%s: block_id too long", what)
		}
	}
}

// hugeTicket has a customer with very long everything and very many fields.
func hugeTicket() *tickets.Ticket {
	long := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 200)
	fields := map[string]string{}
	for i := range 100 {
		fields[fmt.Sprintf("field %03d %s", i, long[:150])] = long[:1900]
	}
	return &tickets.Ticket{
		ID: "135-7", Number: 135, Source: "webhook",
		Customer: tickets.Customer{Name: long[:1900], Email: long[:1900] + "@example.com", Phone: long[:1900], ID: long[:250], Fields: fields},
		Summary:  long, Opening: long[:500],
		Team:   tickets.Team{ChannelID: "C1", Label: strings.Repeat("Team", 20)},
		Status: tickets.StatusPending, Assignee: tickets.Agent{ID: "UALICE"}, Inbox: "G1",
		CloseReason: long,
	}
}

func TestRender_StaysWithinSlackLimits(t *testing.T) {
	tk := hugeTicket()
	for _, st := range []tickets.Status{tickets.StatusPending, tickets.StatusActive, tickets.StatusClosed} {
		tk.Status = st
		checkLimits(t, "card "+string(st), cardBlocks(tk, "C1", ""), maxBlocks)
		checkLimits(t, "old card "+string(st), cardBlocks(tk, "C9", ""), maxBlocks)
		if n := len(cardFallback(tk, "C1")); n > 3000 {
			t.Errorf("card fallback is %d bytes", n)
		}
	}
	checkLimits(t, "intro", introBlocks(tk), maxBlocks)
	st := &tickets.Settings{}
	for i := range tickets.MaxTeams {
		st.TicketingChannels = append(st.TicketingChannels, tickets.Team{ChannelID: fmt.Sprintf("C%d", i), Label: strings.Repeat("L", 80)})
	}
	st.Templates = tickets.Templates{Picked: strings.Repeat("p", tickets.MaxTemplateBytes)}
	checkLimits(t, "live chat control", controlView(tk, st, true).Blocks.BlockSet, 100)
	st.Sinks = map[string]json.RawMessage{"fake": json.RawMessage(`{"endpoint":"https://` + strings.Repeat("e", 400) + `","token":"s"}`)}
	f := formFromSettings(st, []panel.Section{fakeCRM})
	checkLimits(t, "admin panel", adminView(f).Blocks.BlockSet, 100)

	checkLimits(t, "home", homeBlocks(st, true), 100)
	if n := len(customerText(tickets.Message{Text: strings.Repeat("x", 50000)})); n > maxMessageText {
		t.Errorf("customer text is %d bytes", n)
	}
}

func TestRender_CustomerTextCannotMention(t *testing.T) {
	tk := &tickets.Ticket{Number: 1, Customer: tickets.Customer{Name: "<!channel> Eve"}, Opening: "hi <!everyone> <@UADMIN> <https://evil|bank>",
		Team: tickets.Team{ChannelID: "C1", Label: "Support"}, Status: tickets.StatusPending}
	raw, _ := json.Marshal(cardBlocks(tk, "C1", ""))
	for _, bad := range []string{"<!channel>", "<!everyone>", "<@UADMIN>", "<https://evil"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("card contains %q unescaped", bad)
		}
	}
	got := customerText(tickets.Message{Text: "<!here>", Attachments: []tickets.Attachment{{URL: "https://x/a|b>c", Name: "<b>"}}})
	if strings.Contains(got, "<!here>") || strings.Contains(got, "a|b>") || strings.Contains(got, "<b>") {
		t.Errorf("customer text %q is not escaped", got)
	}
}

func TestStatus(t *testing.T) {
	tk := &tickets.Ticket{Team: tickets.Team{ChannelID: "C2", Label: "Tech"}, Status: tickets.StatusPending}
	for _, tc := range []struct {
		status tickets.Status
		card   string
		assign tickets.AgentID
		closed tickets.AgentID
		reason string
		want   string
	}{
		{status: tickets.StatusPending, card: "C2", want: "Pending"},
		{status: tickets.StatusPending, card: "C1", want: "Transferred to Tech (<#C2>)"},
		{status: tickets.StatusActive, card: "C2", assign: "UA", want: "Processing by <@UA> in <#G1>"},
		{status: tickets.StatusClosed, card: "C1", closed: "UB", reason: "done", want: "Closed by <@UB>: done"},
		{status: tickets.StatusClosed, card: "C2", reason: "customer left", want: "Closed: customer left"},
	} {
		tk.Status, tk.Assignee.ID, tk.ClosedBy.ID, tk.CloseReason, tk.Inbox = tc.status, tc.assign, tc.closed, tc.reason, "G1"
		if got := status(tk, tc.card); got != tc.want {
			t.Errorf("status(%s on %s) = %q, want %q", tc.status, tc.card, got, tc.want)
		}
	}
}

func TestInboxName(t *testing.T) {
	for name, want := range map[string]string{
		"Carol":                    "chat-135-carol",
		"José Ñúñez":               "chat-135-jos-ez", // non-ASCII letters are dropped
		"":                         "chat-135",
		"!!!":                      "chat-135",
		strings.Repeat("ab ", 100): "chat-135-" + strings.Repeat("ab-", 13) + "a", // the customer part stops at 40
	} {
		got := inboxName(&tickets.Ticket{Number: 135, Customer: tickets.Customer{Name: name}})
		if got != want || len(got) > 80 {
			t.Errorf("inboxName(%q) = %q, want %q", name, got, want)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				t.Errorf("inboxName(%q) = %q breaks Slack's naming rules", name, got)
			}
		}
	}
}
