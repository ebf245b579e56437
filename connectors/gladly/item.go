package gladly

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Conversation items: GET /conversation-items/{id}, and each element of GET
// /conversations/{id}/items (developer.gladly.com/rest, Get Items).
//
// Gladly's item content is a union by type, and the types do not all carry their text
// the same way. Most messages have it in content as a string; a custom channel message
// has content as an object, {text} or {caption, files}, and its type is TEXT or FILES
// (the "Custom Channel Message" of Gladly's published item schema, e.g. the copy in
// github.com/saitejach127/n8n-nodes-gladly nodes/Gladly/openapi.json); notes and voice AI
// messages have body. So content is decoded per shape, leniently: a field of a shape
// Frontdesk does not expect is left empty rather than failing the item, and an item that
// does not decode at all, or whose type Frontdesk does not know, is left out of a list
// and logged. One odd item never makes a whole conversation unreadable.

// initiatorCustomer is the initiator type of items the customer wrote.
const initiatorCustomer = "CUSTOMER"

// The content types of custom channel messages, which carry an object content.
const (
	customText  = "TEXT"
	customFiles = "FILES"
)

// knownTypes holds the item content types of Gladly's published schemas. Items of other
// types are left out of a conversation's list (and logged): Frontdesk does not know what
// they are, and answers or shows only messages. Twitter is decommissioned but its items
// can still be read.
var knownTypes = map[string]bool{
	"CHAT_MESSAGE": true, "EMAIL": true, "SMS": true, "WHATSAPP": true, "FACEBOOK_MESSAGE": true,
	"INSTAGRAM_DIRECT": true, "TWITTER": true, customText: true, customFiles: true,
	"CONVERSATION_NOTE": true, "CONVERSATION_STATUS_CHANGE": true, "CUSTOMER_ACTIVITY": true,
	"PHONE_CALL": true, "TOPIC_CHANGE": true, "VOICEMAIL": true, "VOICE_AI_MESSAGE": true, "TASK": true,
}

// messageTypes holds the content types of messages a customer writes: the types a reply
// can answer, and custom channel messages.
var messageTypes = map[string]bool{
	"CHAT_MESSAGE": true, "EMAIL": true, "SMS": true, "WHATSAPP": true, "FACEBOOK_MESSAGE": true,
	"INSTAGRAM_DIRECT": true, "TWITTER": true, customText: true, customFiles: true,
}

// item is a conversation item, with only the fields Frontdesk uses; unknown fields are
// ignored and every field may be missing.
type item struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversationId"`
	CustomerID     string `json:"customerId"`
	Timestamp      string `json:"timestamp"`
	Initiator      struct {
		ID   string `json:"id"`
		Type string `json:"type"` // CUSTOMER, AGENT, API, AUTOMATION, SYSTEM, ...
	} `json:"initiator"`
	Content itemContent `json:"content"`
}

// at is when the item happened; zero when unknown.
func (it *item) at() time.Time {
	t, err := time.Parse(time.RFC3339Nano, it.Timestamp)
	if err != nil {
		return time.Time{}
	}
	return t
}

// itemContent is an item's content, whatever its shape.
type itemContent struct {
	Type string
	// Text is the message's text: content when it is a string, content.text or
	// content.caption when it is an object (custom channels), else body (notes).
	Text string
	// Subject is an email's subject.
	Subject string
	// Attachments are files Gladly keeps, served to API callers only
	// (GET /conversation-items/{item}/attachments/{id}).
	Attachments []itemAttachment
	// Files are a custom channel message's files, at the public URLs the channel's
	// integration gave Gladly.
	Files []customFile
}

// itemAttachment is a file on an item: {id, contentType, filename, fileSize}.
type itemAttachment struct {
	ID          string
	ContentType string
	Filename    string
	FileSize    int64
}

// customFile is a file of a custom channel message: {fileName?, url}.
type customFile struct {
	Name string
	URL  string
}

// UnmarshalJSON decodes any item content: a JSON object whose fields may have any shape.
// Only a content that is not an object at all (or not JSON) is an error.
func (c *itemContent) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type        json.RawMessage `json:"type"`
		Content     json.RawMessage `json:"content"`
		Body        json.RawMessage `json:"body"`
		Subject     json.RawMessage `json:"subject"`
		Attachments json.RawMessage `json:"attachments"`
	}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*c = itemContent{}
		return nil
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = itemContent{Type: jsonString(raw.Type), Subject: jsonString(raw.Subject)}
	switch text := bytes.TrimSpace(raw.Content); {
	case len(text) > 0 && text[0] == '"':
		c.Text = jsonString(text)
	case len(text) > 0 && text[0] == '{':
		var obj struct {
			Text    json.RawMessage   `json:"text"`
			Caption json.RawMessage   `json:"caption"`
			Files   []json.RawMessage `json:"files"`
		}
		if json.Unmarshal(text, &obj) == nil {
			c.Text = jsonString(obj.Text)
			if c.Text == "" {
				c.Text = jsonString(obj.Caption)
			}
			for _, f := range obj.Files {
				var file struct {
					FileName json.RawMessage `json:"fileName"`
					URL      json.RawMessage `json:"url"`
				}
				if json.Unmarshal(f, &file) == nil && jsonString(file.URL) != "" {
					c.Files = append(c.Files, customFile{Name: jsonString(file.FileName), URL: jsonString(file.URL)})
				}
			}
		}
	}
	if c.Text == "" {
		c.Text = jsonString(raw.Body)
	}
	var atts []json.RawMessage
	if json.Unmarshal(raw.Attachments, &atts) == nil {
		for _, a := range atts {
			var att struct {
				ID          json.RawMessage `json:"id"`
				ContentType json.RawMessage `json:"contentType"`
				Filename    json.RawMessage `json:"filename"`
				FileSize    json.RawMessage `json:"fileSize"`
			}
			if json.Unmarshal(a, &att) != nil {
				continue
			}
			var size int64
			_ = json.Unmarshal(att.FileSize, &size)
			c.Attachments = append(c.Attachments, itemAttachment{ID: jsonString(att.ID),
				ContentType: jsonString(att.ContentType), Filename: jsonString(att.Filename), FileSize: size})
		}
	}
	return nil
}

// jsonString is raw as a string when it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// items returns the conversation's timeline, oldest first, and whether Gladly left items
// out (it returns at most 1000 and says so in the Gladly-Limited-Data header). Items that
// do not decode, or whose type Frontdesk does not know, are left out and logged with
// their ids and types only.
func (c *Client) items(ctx context.Context, conversationID string) (_ []item, limited bool, err error) {
	var raws []json.RawMessage
	h, err := c.call(ctx, http.MethodGet, "gladly: listing the conversation's messages",
		"conversations/"+url.PathEscape(conversationID)+"/items", nil, &raws)
	if err != nil {
		return nil, false, err
	}
	its := make([]item, 0, len(raws))
	skipped := map[string]int{}
	for i, raw := range raws {
		var it item
		if err := json.Unmarshal(raw, &it); err != nil {
			c.log.Warn("a conversation item does not decode: left out", zap.String("conversation", conversationID),
				zap.Int("index", i), zap.String("error", jsonError(err).Error()))
			continue
		}
		if !knownTypes[it.Content.Type] {
			skipped[it.Content.Type]++
			continue
		}
		its = append(its, it)
	}
	if len(skipped) > 0 {
		types := make([]string, 0, len(skipped))
		for t := range skipped {
			types = append(types, clipType(t))
		}
		sort.Strings(types)
		c.log.Info("conversation items of unknown types left out", zap.String("conversation", conversationID),
			zap.Strings("types", types))
	}
	return its, strings.EqualFold(h.Get("Gladly-Limited-Data"), "true"), nil
}

// clipType keeps a logged type name short: it comes from Gladly.
func clipType(t string) string {
	if t == "" {
		return "(none)"
	}
	if len(t) > 64 {
		return t[:64]
	}
	return t
}
