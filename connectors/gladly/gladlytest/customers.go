package gladlytest

import (
	"maps"
	"net/http"
	"time"
)

// Profile is a customer profile as "Get Customer" answers it: its id, name, one email
// and when it was created.
func Profile(id, name, email string, created time.Time) map[string]any {
	return map[string]any{"id": id, "name": name,
		"emails":    []any{map[string]any{"original": email}},
		"createdAt": created.UTC().Format(time.RFC3339Nano)}
}

// AddProfile adds p (or replaces the profile with its id), as "Get Customer" answers it.
func (s *Server) AddProfile(p map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := p["id"].(string)
	s.profiles[id] = maps.Clone(p)
}

// DeleteProfile removes customer id's profile: "Get Customer" answers 404.
func (s *Server) DeleteProfile(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.profiles, id)
}

// Move makes customer id a merged one: "Get Customer" answers 301 with body (errors[]
// with meta{old,new}, as testdata/customer_moved.json) and, when location is not "",
// that Location.
func (s *Server) Move(id, body, location string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.moved[id] = body
	if location != "" {
		s.movedTo[id] = location
	}
}

// getProfile is "Get Customer".
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A merged customer: 301 with errors[].meta{old,new} (getCustomer in
	// https://developer.gladly.com/rest/; testdata/customer_moved.json), and a Location
	// when set (the reference shows one for the customer's conversation-items).
	if body, ok := s.moved[r.PathValue("id")]; ok {
		if loc := s.movedTo[r.PathValue("id")]; loc != "" {
			w.Header().Set("Location", loc)
		}
		writeErrors(w, http.StatusMovedPermanently, body)
		return
	}
	p, ok := s.profiles[r.PathValue("id")]
	if !ok {
		writeErrors(w, http.StatusNotFound, `{"errors":[{"code":"not_exist","detail":"customer does not exist"}]}`)
		return
	}
	writeJSON(w, p)
}
