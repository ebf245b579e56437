package gladlytest

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"time"
)

// Conversation is a conversation as "Get Conversation" answers it: OPEN, of customer,
// assigned to inbox, created at, with no topics.
func Conversation(id, customer, inbox string, at time.Time) map[string]any {
	return map[string]any{"id": id, "customerId": customer, "inboxId": inbox, "status": "OPEN",
		"createdAt": at.UTC().Format(time.RFC3339Nano), "topicIds": []any{}}
}

// AddConversation adds c (or replaces the conversation with its id), as "Get
// Conversation" answers it.
func (s *Server) AddConversation(c map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := c["id"].(string)
	s.conversations[id] = maps.Clone(c)
}

// SetConversation changes fields of conversation id (a nil value deletes a field).
func (s *Server) SetConversation(id string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range fields {
		if v == nil {
			delete(s.conversations[id], k)
		} else {
			s.conversations[id][k] = v
		}
	}
}

// Conversation returns conversation id as it is now (after the client's changes), nil
// when there is none.
func (s *Server) Conversation(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.conversations[id])
}

// conversation returns the conversation the path's {id} names, or answers 404 and
// returns nil; s.mu is held.
func (s *Server) conversation(w http.ResponseWriter, r *http.Request) map[string]any {
	c, ok := s.conversations[r.PathValue("id")]
	if !ok {
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"conversation does not exist"}]}`)
		return nil
	}
	return c
}

// getConversation is "Get Conversation".
func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.conversation(w, r); c != nil {
		writeJSON(w, c)
	}
}

// addTopics is "Add Topics to Conversation": 204; the topics are not kept.
func (s *Server) addTopics(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conversation(w, r) != nil {
		w.WriteHeader(http.StatusNoContent)
	}
}

// decode reads a JSON request body into v, or answers 400 and returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, v); err != nil {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"code":"invalid","detail":"malformed body"}]}`)
		return false
	}
	return true
}

// patchConversation is "Update Conversation": a new assignee (its inboxId required, an
// agentId optional) and status; 204.
func (s *Server) patchConversation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.conversation(w, r)
	if c == nil {
		return
	}
	var u struct {
		Assignee *struct {
			InboxID string  `json:"inboxId"`
			AgentID *string `json:"agentId"`
		} `json:"assignee"`
		Status *struct {
			Value string `json:"value"`
		} `json:"status"`
	}
	if !decode(w, r, &u) {
		return
	}
	if u.Assignee != nil {
		if u.Assignee.InboxID == "" {
			writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"assignee.inboxId","code":"blank","detail":"'inboxId' cannot be blank when updating assignee"}]}`)
			return
		}
		c["inboxId"] = u.Assignee.InboxID
		delete(c, "agentId")
		if u.Assignee.AgentID != nil && *u.Assignee.AgentID != "" {
			c["agentId"] = *u.Assignee.AgentID
		}
	}
	if u.Status != nil {
		c["status"] = u.Status.Value
	}
	w.WriteHeader(http.StatusNoContent)
}
