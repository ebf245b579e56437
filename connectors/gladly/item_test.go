package gladly

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// TestItems_DocumentedExample feeds the example of "List Items in Conversation" from
// Gladly's REST API reference, as published
// (https://developer.gladly.com/rest/#operation/getConversationItems; testdata/SOURCES.md),
// through the real decoder: every item decodes, each text is where Frontdesk reads it,
// and a reply answers the customer's chat message, not the call, the note or the bot.
func TestItems_DocumentedExample(t *testing.T) {
	c, f := setup(t, nil)
	f.SetItems(convID, itemsOf(t, "items_documented.json")...)
	its, limited, err := c.items(context.Background(), convID)
	if err != nil || limited {
		t.Fatalf("items: %v (limited %v)", err, limited)
	}
	type row struct{ ID, Type, Initiator, Text string }
	var got []row
	for _, it := range its {
		got = append(got, row{it.ID, it.Content.Type, it.Initiator.Type, it.Content.Text})
	}
	want := []row{
		{"ybP4szYCSy6LdV4DNwEd6g", "CHAT_MESSAGE", "CUSTOMER", "Hi! I know it's after hours but can someone help upgrade my account?"},
		{"Rk7dLm2xTXqNwZp8vB3YeA", "CHAT_MESSAGE", "SYSTEM", "Hello! I can help you with upgrading your account. What plan are you interested in?"},
		{"9lQDrx-HTz-JMoP2T4CtZA", "EMAIL", "AGENT", "I would be happy to help you! We need a few details, so please give us a call this morning."},
		{"S6pMkJ78QMmkVf9qPP_SeQ", "PHONE_CALL", "CUSTOMER", ""},
		{"K0UGL3n6S4uPpvtMvItqHA", "TOPIC_CHANGE", "AGENT", ""},
		{"zwo9AtljSfaGjWb4Aq-aDQ", "CONVERSATION_STATUS_CHANGE", "", ""}, // published with the keys `id"` and `type"`
		{"azwo9AtljSfaGjWb4Aq-aDQ", "VOICEMAIL", "", ""},
		{"VnL3kQ8zSPmW9rXpA2fYbA", "VOICE_AI_MESSAGE", "SYSTEM", "Thanks for calling. How can I help you today?"},
		{"DnaU23pZSIqOixATlII1vA", "CONVERSATION_NOTE", "AGENT", "Customer has requested more information about our loyalty program."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items =\n%+v\nwant\n%+v", got, want)
	}
	if it := latestCustomerMessage(its); it == nil || it.ID != "ybP4szYCSy6LdV4DNwEd6g" {
		t.Errorf("reply target = %+v, want the customer's chat message", it)
	}
	f.Reset()
	if err := c.Deliver(context.Background(), testTicket(), agentMessage("Happy to help"), "k1"); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	assertCalls(t, f, listItems,
		replyTo("ybP4szYCSy6LdV4DNwEd6g", `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"Happy to help"}}`))
}

// TestItems_CustomChannel: a conversation holding custom channel messages (content an
// object, testdata/custom_channel_items.json, shaped from Gladly's published item schema),
// an item of a type no schema has, and an item that does not decode still lists, and a
// reply answers the customer's chat message: the custom channel's own messages are not
// among the types the reply endpoint takes.
func TestItems_CustomChannel(t *testing.T) {
	c, f := setup(t, nil)
	f.SetItems(convID, itemsOf(t, "custom_channel_items.json")...)
	its, _, err := c.items(context.Background(), convID)
	if err != nil {
		t.Fatalf("items: %v", err)
	}
	var ids []string
	for _, it := range its {
		ids = append(ids, it.ID)
	}
	if want := []string{"mT2xKq7RWn4LvP9zBc5JeA", "cC1nQx5LTr8KwM3pVz6GdA", "cF9pLm2XRq6KwN4vTz8BdA"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("items %v, want %v (the unknown type and the undecodable item left out)", ids, want)
	}
	if got := its[1].Content; got.Type != "TEXT" || got.Text != "Sending you a photo from the app" {
		t.Errorf("custom TEXT content = %+v", got)
	}
	wantFiles := itemContent{Type: "FILES", Text: "The box arrived like this",
		Files: []customFile{{Name: "box.jpg", URL: "https://files.acme-bikes.example/u/lena-7731/box.jpg"}}}
	if got := its[2].Content; !reflect.DeepEqual(got, wantFiles) {
		t.Errorf("custom FILES content = %+v, want %+v", got, wantFiles)
	}
	f.Reset()
	if err := c.Deliver(context.Background(), testTicket(), agentMessage("On its way"), "k1"); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	assertCalls(t, f, listItems,
		replyTo("mT2xKq7RWn4LvP9zBc5JeA", `{"content":{"type":"CHAT_MESSAGE","messageType":"TEXT","body":"On its way"}}`))
}

// TestProcessor_CustomChannelMessage: a customer's custom channel message opens a ticket
// with its caption and its files (at the public URLs the channel gave Gladly, shared in Slack as files).
func TestProcessor_CustomChannelMessage(t *testing.T) {
	p, f, tk := setupProcessor(t)
	f.SetItems(convID, itemsOf(t, "custom_channel_items.json")...)
	mustProcess(t, p, edited(t, "contact_message_received.json", map[string]any{"content.messageId": "cF9pLm2XRq6KwN4vTz8BdA"}))
	first := tk.first()
	wantAtts := []tickets.Attachment{{URL: "https://files.acme-bikes.example/u/lena-7731/box.jpg", Name: "box.jpg", Upload: true}}
	if first.Text != "The box arrived like this" || !reflect.DeepEqual(first.Attachments, wantAtts) {
		t.Errorf("first = %+v", first)
	}
}

// TestItemContent_Shapes decodes content of every shape without failing the item.
func TestItemContent_Shapes(t *testing.T) {
	tests := []struct {
		name, json string
		want       itemContent
	}{
		{"String", `{"type":"SMS","content":"hi"}`, itemContent{Type: "SMS", Text: "hi"}},
		{"TextObject", `{"type":"TEXT","content":{"text":"hi"}}`, itemContent{Type: "TEXT", Text: "hi"}},
		{"FilesNoCaption", `{"type":"FILES","content":{"files":[{"url":"https://x.example/a"},{"fileName":"no url"}]}}`,
			itemContent{Type: "FILES", Files: []customFile{{URL: "https://x.example/a"}}}},
		{"Body", `{"type":"CONVERSATION_NOTE","body":"note"}`, itemContent{Type: "CONVERSATION_NOTE", Text: "note"}},
		{"ContentArray", `{"type":"CHAT_MESSAGE","content":["odd"],"body":"fallback"}`, itemContent{Type: "CHAT_MESSAGE", Text: "fallback"}},
		{"NumberType", `{"type":7,"content":"x"}`, itemContent{Text: "x"}},
		{"Attachments", `{"type":"EMAIL","subject":"S","content":"b","attachments":[{"id":"a1","contentType":"image/png","filename":"attachment-1.png","fileSize":1024},"junk"]}`,
			itemContent{Type: "EMAIL", Subject: "S", Text: "b", Attachments: []itemAttachment{{ID: "a1", ContentType: "image/png", Filename: "attachment-1.png", FileSize: 1024}}}},
		{"Null", `null`, itemContent{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got itemContent
			if err := json.Unmarshal([]byte(tc.json), &got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	var c itemContent
	if err := json.Unmarshal([]byte(`"a string"`), &c); err == nil {
		t.Error("a content that is not an object decoded")
	}
}
