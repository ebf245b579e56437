package gladlytest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
)

// MaxReplyChars is the longest reply body Gladly takes ("content.body cannot be larger
// than 2048 characters").
const MaxReplyChars = 2048

// NoAttachmentsBody is Gladly's 400 answer to "Get Attachment" for an item whose content
// has no attachments, as published (https://developer.gladly.com/rest/#operation/getAttachment;
// connectors/gladly/testdata/attachment_invalid.json).
const NoAttachmentsBody = `{"errors":[{"code":"invalid","detail":"conversation item content does not contain attachments"}]}`

// ChatItem is a chat message item of conversation conv: text from initiator (CUSTOMER,
// AGENT, API) of customer at (RFC 3339), shaped as the "Chat Message" content of
// Gladly's item schema.
func ChatItem(conv, customer, id, initiator, at, text string) map[string]any {
	return map[string]any{
		"id": id, "conversationId": conv, "customerId": customer, "timestamp": at,
		"initiator": map[string]any{"id": customer, "type": initiator},
		"content":   map[string]any{"type": "CHAT_MESSAGE", "sessionId": "sN3kWq8RTp2LvM5zHc9JdA", "messageType": "TEXT", "content": text},
	}
}

// DownloadURL is where attachment att downloads from unless SetDownload says otherwise:
// Gladly documents only "URL to download the attachment content" in the 303's Location,
// no example.
func DownloadURL(att string) string {
	return "https://attachments.gladly-files.example/" + att + "?X-Amz-Expires=300&X-Amz-Signature=f00d"
}

// SetItems replaces the items of conversation conv.
func (s *Server) SetItems(conv string, items ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[conv] = items
}

// AddItem appends an item to conversation conv.
func (s *Server) AddItem(conv string, item map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[conv] = append(s.items[conv], item)
}

// Items returns the items of conversation conv, oldest first.
func (s *Server) Items(conv string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(s.items[conv]))
	for i, it := range s.items[conv] {
		out[i] = maps.Clone(it)
	}
	return out
}

// SetDownload makes "Get Attachment" of attachment att send to location.
func (s *Server) SetDownload(att, location string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.downloads[att] = location
}

// SetLimitedData answers "List Items in Conversation" with Gladly-Limited-Data: true
// from now on (or not).
func (s *Server) SetLimitedData(limited bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited = limited
}

// getItems is "List Items in Conversation".
func (s *Server) getItems(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conversation(w, r) == nil {
		return
	}
	if s.limited {
		w.Header().Set("Gladly-Limited-Data", "true")
	}
	its := s.items[r.PathValue("id")]
	if its == nil {
		its = []map[string]any{}
	}
	writeJSON(w, its)
}

// item returns the item of any conversation the path's {id} names, or answers 404 and
// returns nil; s.mu is held.
func (s *Server) item(w http.ResponseWriter, r *http.Request) map[string]any {
	for _, its := range s.items {
		for _, it := range its {
			if it["id"] == r.PathValue("id") {
				return it
			}
		}
	}
	writeErrors(w, http.StatusNotFound, "")
	return nil
}

// getItem is "Get Item".
func (s *Server) getItem(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it := s.item(w, r); it != nil {
		writeJSON(w, it)
	}
}

// reply is "Reply to Item": only to a customer's message, with a content type and a body
// of 1 to MaxReplyChars characters; 201 with the reply's Location.
func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.item(w, r)
	if it == nil {
		return
	}
	if init, _ := it["initiator"].(map[string]any); init["type"] != "CUSTOMER" {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"code":"invalid","detail":"you can only reply to customer messages"}]}`)
		return
	}
	var body struct {
		Content struct {
			Type, Body string
		}
	}
	b, _ := io.ReadAll(r.Body)
	if json.Unmarshal(b, &body) != nil || body.Content.Type == "" {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"content.type","code":"blank"}]}`)
		return
	}
	if n := len([]rune(body.Content.Body)); n > MaxReplyChars || n == 0 {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"content.body","code":"too_long","detail":"content.body cannot be larger than 2048 characters"}]}`)
		return
	}
	w.Header().Set("Location", "/api/v1/conversation-items/rPly"+fmt.Sprint(len(s.calls)))
	w.WriteHeader(http.StatusCreated)
}

// getAttachment is "Get Attachment" (https://developer.gladly.com/rest/#operation/getAttachment):
// 303 See Other to the file; 400 with the documented body when the item's content has no
// attachments; 404 when the item or the attachment is not there.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.item(w, r)
	if it == nil {
		return
	}
	content, _ := it["content"].(map[string]any)
	atts, _ := content["attachments"].([]any)
	if len(atts) == 0 {
		writeErrors(w, http.StatusBadRequest, NoAttachmentsBody)
		return
	}
	att := r.PathValue("att")
	for _, a := range atts {
		if a, _ := a.(map[string]any); a["id"] == att {
			to := s.downloads[att]
			if to == "" {
				to = DownloadURL(att)
			}
			w.Header().Set("Location", to)
			w.WriteHeader(http.StatusSeeOther)
			return
		}
	}
	writeErrors(w, http.StatusNotFound, "")
}
