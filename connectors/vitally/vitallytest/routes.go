package vitallytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// methods routes the requests to one path by method, answering 405 to the others.
type methods map[string]http.HandlerFunc

// ServeHTTP calls the handler of r's method, or answers 405 Method Not Allowed.
func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := m[r.Method]
	if !ok {
		w.Header().Set("Allow", strings.Join(sortedKeys(m), ", "))
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	h(w, r)
}

// routes returns the API's routes. Its handlers run with s.mu held.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/resources/users", methods{http.MethodPost: s.createUser})
	mux.Handle("/resources/users/search", methods{http.MethodGet: s.searchUsers})
	mux.Handle("/resources/accounts/{id}", methods{http.MethodGet: s.getAccount})
	mux.Handle("/resources/accounts/{id}/users", methods{http.MethodGet: s.accountUsers})
	mux.Handle("/resources/organizations/{id}", methods{http.MethodGet: s.getOrganization})
	mux.Handle("/resources/organizations/{id}/users", methods{http.MethodGet: s.organizationUsers})
	mux.Handle("/resources/customObjects", methods{http.MethodGet: s.listCustomObjects, http.MethodPost: s.createCustomObject})
	mux.Handle("/resources/customObjects/{obj}", methods{http.MethodGet: s.getCustomObject, http.MethodPut: s.updateCustomObject})
	mux.Handle("/resources/customFields", methods{http.MethodGet: s.listCustomFields})
	mux.Handle("/resources/customObjects/{obj}/instances", methods{http.MethodPost: s.createInstance})
	mux.Handle("/resources/customObjects/{obj}/instances/search", methods{http.MethodGet: s.searchInstances})
	mux.Handle("/resources/customObjects/{obj}/instances/{id}", methods{http.MethodPut: s.updateInstance})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeNotFound(w) })
	return mux
}

// searchUsers answers GET /resources/users/search with the users matching exactly one
// of email, externalId and emailSubdomain.
func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) {
	param, value, err := oneParam(r.URL.Query(), "email", "externalId", "emailSubdomain")
	if err == nil && param == "emailSubdomain" && strings.Contains(value, "@") {
		err = errors.New("emailSubdomain must not contain @")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	match := func(u User) bool {
		switch param {
		case "email":
			return strings.EqualFold(u.Email, value)
		case "externalId":
			return u.ExternalID == value
		default:
			at := strings.LastIndex(u.Email, "@")
			return at >= 0 && strings.EqualFold(u.Email[at+1:], value)
		}
	}
	writeJSON(w, map[string]any{"results": s.usersWhere(match)})
}

// getAccount answers GET /resources/accounts/{id}, by Vitally id or externalId.
func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	a := s.account(r.PathValue("id"))
	if a == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, a.clone())
}

// getOrganization answers GET /resources/organizations/{id}, by Vitally id or
// externalId.
func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request) {
	o := s.organization(r.PathValue("id"))
	if o == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, o.clone())
}

// accountUsers answers GET /resources/accounts/{id}/users with a page of the users
// linked to the account.
func (s *Server) accountUsers(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a := s.account(r.PathValue("id"))
	if a == nil {
		writeNotFound(w)
		return
	}
	writePage(w, p, s.usersWhere(func(u User) bool { return slices.Contains(u.AccountIDs, a.ID) }))
}

// organizationUsers answers GET /resources/organizations/{id}/users with a page of the
// users linked to the organization.
func (s *Server) organizationUsers(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	o := s.organization(r.PathValue("id"))
	if o == nil {
		writeNotFound(w)
		return
	}
	writePage(w, p, s.usersWhere(func(u User) bool { return slices.Contains(u.OrganizationIDs, o.ID) }))
}

// usersWhere returns copies of the users for which match is true, never nil. s.mu is
// held.
func (s *Server) usersWhere(match func(User) bool) []User {
	out := []User{}
	for _, u := range s.users {
		if match(u) {
			out = append(out, u.clone())
		}
	}
	return out
}

// userBody is the body of POST /resources/users.
type userBody struct {
	ExternalID      string         `json:"externalId"`
	Name            string         `json:"name"`
	Email           string         `json:"email"`
	AccountIDs      []string       `json:"accountIds"`
	OrganizationIDs []string       `json:"organizationIds"`
	Traits          map[string]any `json:"traits"`
}

// createUser answers POST /resources/users: it creates a user linked to existing
// accounts or organizations, with an externalId no other user has.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var b userBody
	if !decodeBody(w, r, &b) {
		return
	}
	if err := s.checkUser(b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if slices.ContainsFunc(s.users, func(u User) bool { return u.ExternalID == b.ExternalID }) {
		writeError(w, http.StatusConflict, fmt.Sprintf("a user with externalId %q exists", b.ExternalID))
		return
	}
	u := User{ID: s.newID("", "usr"), ExternalID: b.ExternalID, Name: b.Name, Email: b.Email,
		AccountIDs: b.AccountIDs, OrganizationIDs: b.OrganizationIDs, Traits: b.Traits,
		CreatedAt: s.now().UTC()}.clone()
	s.users = append(s.users, u)
	writeJSON(w, u.clone())
}

// checkUser returns what is wrong with the body of a new user. s.mu is held.
func (s *Server) checkUser(b userBody) error {
	if b.ExternalID == "" {
		return errors.New("externalId is required")
	}
	if len(b.AccountIDs) == 0 && len(b.OrganizationIDs) == 0 {
		return errors.New("accountIds or organizationIds is required")
	}
	for _, id := range b.AccountIDs {
		if s.accountByID(id) == nil {
			return fmt.Errorf("unknown account id %q", id)
		}
	}
	for _, id := range b.OrganizationIDs {
		if !s.hasOrganization(id) {
			return fmt.Errorf("unknown organization id %q", id)
		}
	}
	return nil
}

// searchInstances answers GET /resources/customObjects/{obj}/instances/search with the
// first instance matching exactly one of id, externalId, customerId and
// organizationId.
func (s *Server) searchInstances(w http.ResponseWriter, r *http.Request) {
	objID := r.PathValue("obj")
	if s.object(objID) == nil {
		writeNotFound(w)
		return
	}
	param, value, err := oneParam(r.URL.Query(), "id", "externalId", "customerId", "organizationId")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	for _, in := range s.instances {
		if in.CustomObjectID != objID {
			continue
		}
		field := map[string]string{"id": in.ID, "externalId": in.ExternalID,
			"customerId": in.CustomerID, "organizationId": in.OrganizationID}[param]
		if field == value {
			writeJSON(w, in.clone())
			return
		}
	}
	writeNotFound(w)
}

// instanceBody is the body of POST and PUT on custom object instances.
type instanceBody struct {
	Name           *string        `json:"name"`
	ExternalID     string         `json:"externalId"`
	CustomerID     string         `json:"customerId"`
	OrganizationID string         `json:"organizationId"`
	Traits         map[string]any `json:"traits"`
}

// createInstance answers POST /resources/customObjects/{obj}/instances: it creates an
// instance linked to an existing account or organization (or both, when the account
// belongs to the organization), with valid traits and, when it has one, an externalId no
// other instance of the object has (Vitally's example request has none).
func (s *Server) createInstance(w http.ResponseWriter, r *http.Request) {
	objID := r.PathValue("obj")
	if s.object(objID) == nil {
		writeNotFound(w)
		return
	}
	var b instanceBody
	if !decodeBody(w, r, &b) {
		return
	}
	if err := s.checkNewInstance(objID, b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if b.ExternalID != "" && slices.ContainsFunc(s.instances, func(in Instance) bool {
		return in.CustomObjectID == objID && in.ExternalID == b.ExternalID
	}) {
		writeError(w, http.StatusConflict, fmt.Sprintf("an instance with externalId %q exists", b.ExternalID))
		return
	}
	now := s.now().UTC()
	in := Instance{ID: s.newID("", "ins"), CustomObjectID: objID, ExternalID: b.ExternalID,
		CustomerID: b.CustomerID, OrganizationID: b.OrganizationID, Traits: map[string]any{},
		CreatedAt: now, UpdatedAt: now}
	if b.Name != nil {
		in.Name = *b.Name
	}
	mergeTraits(in.Traits, b.Traits)
	s.instances = append(s.instances, in)
	s.writes[objID]++
	writeJSON(w, in.clone())
}

// checkNewInstance returns what is wrong with the body of a new instance of the custom
// object objID. s.mu is held.
func (s *Server) checkNewInstance(objID string, b instanceBody) error {
	if b.CustomerID == "" && b.OrganizationID == "" {
		return errors.New("customerId or organizationId is required")
	}
	var a *Account
	if b.CustomerID != "" {
		if a = s.accountByID(b.CustomerID); a == nil {
			return fmt.Errorf("unknown customerId %q", b.CustomerID)
		}
	}
	if b.OrganizationID != "" {
		if !s.hasOrganization(b.OrganizationID) {
			return fmt.Errorf("unknown organizationId %q", b.OrganizationID)
		}
		if a != nil && a.OrganizationID != b.OrganizationID {
			return fmt.Errorf("account %q does not belong to organization %q", a.ID, b.OrganizationID)
		}
	}
	return s.checkTraits(objID, b.Traits)
}

// updateInstance answers PUT /resources/customObjects/{obj}/instances/{id}: it replaces
// the name when one is given and merges the traits into the instance's.
func (s *Server) updateInstance(w http.ResponseWriter, r *http.Request) {
	objID, id := r.PathValue("obj"), r.PathValue("id")
	i := slices.IndexFunc(s.instances, func(in Instance) bool { return in.CustomObjectID == objID && in.ID == id })
	if i < 0 {
		writeNotFound(w)
		return
	}
	var b instanceBody
	if !decodeBody(w, r, &b) {
		return
	}
	if err := s.checkTraits(objID, b.Traits); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	in := &s.instances[i]
	if b.Name != nil {
		in.Name = *b.Name
	}
	mergeTraits(in.Traits, b.Traits)
	in.UpdatedAt = s.now().UTC()
	s.writes[objID]++
	writeJSON(w, in.clone())
}

// oneParam returns the one parameter of names that q holds and its value; it fails when
// q holds none of them, more than one, or one with an empty value.
func oneParam(q url.Values, names ...string) (name, value string, err error) {
	var given []string
	for _, n := range names {
		if q.Has(n) {
			given = append(given, n)
		}
	}
	if len(given) != 1 {
		return "", "", fmt.Errorf("exactly one of %s is required", strings.Join(names, ", "))
	}
	name = given[0]
	if vs := q[name]; len(vs) != 1 || vs[0] == "" {
		return "", "", fmt.Errorf("%s must have one non-empty value", name)
	}
	return name, q.Get(name), nil
}

// decodeBody decodes r's JSON body, a single value, into v, answering 400 and returning
// false when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(v)
	if err == nil {
		if _, next := dec.Token(); next != io.EOF {
			err = errors.New("data after the JSON value")
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	writeStatusJSON(w, http.StatusOK, v)
}

// writeError answers status with Vitally's error body carrying message.
func writeError(w http.ResponseWriter, status int, message string) {
	writeStatusJSON(w, status, map[string]any{"statusCode": status, "message": message})
}

// writeNotFound answers 404 Not Found.
func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "Not Found")
}

// writeStatusJSON answers status with v as JSON, or 500 when v has no JSON encoding.
func writeStatusJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(map[string]any{"statusCode": status, "message": err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
