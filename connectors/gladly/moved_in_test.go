package gladly

import (
	"reflect"
	"testing"
)

// TestProcessor_MovedIntoTheAIInbox: a conversation a person moved into the AI inbox
// after the customer wrote (testdata/conversation_assignee_into_ai_inbox.json, the
// CONVERSATION_ASSIGNEE/UPDATED payload of https://developer.gladly.com/rest/ "Payloads")
// becomes a ticket at once, with the customer's unanswered messages.
func TestProcessor_MovedIntoTheAIInbox(t *testing.T) {
	const agentItem = "aG4nTx8LRq2KwM5pVz3JdA"
	tests := []struct {
		name  string
		items []map[string]any
		want  []string // the ticket's texts; nil: no ticket
	}{
		{"Unanswered", nil, []string{"Hi! My e-bike order #A-3301 has not shipped yet.", "It was due on Monday."}},
		{"SinceTheLastAnswer", []map[string]any{
			chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "Hi! My e-bike order #A-3301 has not shipped yet."),
			chatItem(agentItem, "AGENT", "2026-11-21T09:15:00.000Z", "Let me check."),
			chatItem(olderItem, "CUSTOMER", "2026-11-21T09:16:40.800Z", "It was due on Monday."),
		}, []string{"It was due on Monday."}},
		{"AllAnswered", []map[string]any{
			chatItem(firstItem, "CUSTOMER", "2026-11-21T09:14:03.100Z", "Hi! My e-bike order #A-3301 has not shipped yet."),
			chatItem(agentItem, "AGENT", "2026-11-21T09:15:00.000Z", "Let me check."),
		}, []string{"Hi! My e-bike order #A-3301 has not shipped yet."}},
		{"NothingFromTheCustomer", []map[string]any{
			chatItem(agentItem, "AGENT", "2026-11-21T09:15:00.000Z", "Hello from us"),
		}, nil},
		{"CustomChannel", itemsOf(t, "custom_channel_items.json"),
			[]string{"Hi! My e-bike order #A-3301 has not shipped yet.", "Sending you a photo from the app", "The box arrived like this"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, f, tk := setupProcessor(t)
			if tc.items != nil {
				f.SetItems(convID, tc.items...)
			}
			mustProcess(t, p, testdata(t, "conversation_assignee_into_ai_inbox.json"))
			if got := tk.texts(convID); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ticket texts = %q, want %q", got, tc.want)
			}
			wantOpened := 0
			if tc.want != nil {
				wantOpened = 1
			}
			if all := tk.all(); len(all) != wantOpened {
				t.Errorf("%d tickets opened, want %d", len(all), wantOpened)
			} else if wantOpened == 1 && all[0].Customer.Name != "Lena Vogel" {
				t.Errorf("customer = %+v", all[0].Customer)
			}
		})
	}
	t.Run("AlreadyOpen", func(t *testing.T) {
		// The customer's message event came first: the move adds only what is missing.
		p, f, tk := setupProcessor(t)
		mustProcess(t, p, testdata(t, "contact_message_received.json"))
		f.Reset()
		mustProcess(t, p, testdata(t, "conversation_assignee_into_ai_inbox.json"))
		want := []string{"Hi! My e-bike order #A-3301 has not shipped yet.", "It was due on Monday."}
		if got := tk.texts(convID); !reflect.DeepEqual(got, want) || len(tk.all()) != 1 {
			t.Errorf("texts %q (opened %d), want %q", got, len(tk.all()), want)
		}
	})
	t.Run("AlreadyOurs", func(t *testing.T) {
		// Assigned to the API user inside the AI inbox (its own reply does that): no call.
		p, f, tk := setupProcessor(t)
		tk.unreachable()
		mustProcess(t, p, edited(t, "conversation_assignee_into_ai_inbox.json", map[string]any{
			"content.assignee":         map[string]any{"inboxId": aiInbox, "agentId": botAgent},
			"content.context.assignee": map[string]any{"inboxId": aiInbox}}))
		if len(f.Called()) != 0 {
			t.Errorf("calls %v", f.Called())
		}
	})
}
