package gladlytest

import (
	"fmt"
	"net/http"
	"strings"
)

// Notes returns the bodies of the notes added to conversation conv, in order.
func (s *Server) Notes(conv string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notes[conv]...)
}

// addNote is "Add Note" (https://developer.gladly.com/rest/#operation/addNoteToConversation):
// 201 with the note's relative Location, as documented
// (/api/v1/conversations/{id}/notes/{noteId}). Gladly's example body is
// {"content":{"body":…}} while its schema lists body at the top level: both are taken.
// A blank body is a 400 with code blank (the codes of "Error Handling", same reference).
func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conversation(w, r) == nil {
		return
	}
	conv := r.PathValue("id")
	var in struct {
		Body    string `json:"body"`
		Content struct {
			Body string `json:"body"`
		} `json:"content"`
	}
	if !decode(w, r, &in) {
		return
	}
	body := in.Content.Body
	if body == "" {
		body = in.Body
	}
	if strings.TrimSpace(body) == "" {
		writeErrors(w, http.StatusBadRequest, `{"errors":[{"attr":"content.body","code":"blank","detail":"body cannot be blank"}]}`)
		return
	}
	s.notes[conv] = append(s.notes[conv], body)
	w.Header().Set("Location", fmt.Sprintf("/api/v1/conversations/%s/notes/nT%dxQm4RLv8KwP2zBc7JdA", conv, len(s.notes[conv])))
	w.WriteHeader(http.StatusCreated)
}
