package vitallytest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Organization is a Vitally organization: a customer company that groups accounts.
type Organization struct {
	ID         string         `json:"id"`
	ExternalID string         `json:"externalId"`
	Name       string         `json:"name"`
	Traits     map[string]any `json:"traits"`
}

// Account is a Vitally account (a customer). OrganizationID is the Vitally id of the
// organization it belongs to, if any.
type Account struct {
	ID             string         `json:"id"`
	ExternalID     string         `json:"externalId"`
	Name           string         `json:"name"`
	OrganizationID string         `json:"organizationId,omitempty"`
	Traits         map[string]any `json:"traits"`
}

// User is a Vitally user: a person at a customer, linked to accounts and organizations
// by their Vitally ids.
type User struct {
	ID              string         `json:"id"`
	ExternalID      string         `json:"externalId"`
	Name            string         `json:"name,omitempty"`
	Email           string         `json:"email,omitempty"`
	AccountIDs      []string       `json:"accountIds"`
	OrganizationIDs []string       `json:"organizationIds"`
	Traits          map[string]any `json:"traits"`
	CreatedAt       time.Time      `json:"createdAt"`
}

// CustomObject is a custom object type defined in Vitally, such as "Tickets", with the
// properties "REST API: Custom Objects" lists
// (https://docs.vitally.io/en/articles/9880872-rest-api-custom-objects). The API answers
// it with its customFields too (objectJSON).
type CustomObject struct {
	ID         string
	Name       string
	Label      string
	WriteMode  string // writable, writableByAll or readonly
	SyncActive bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CustomField is a custom field (a custom trait) of a Vitally model. For a custom
// object's field, Model is "customObjects" and CustomObjectID names the object. Path is
// the key its value has in traits, and Type is one of string, textarea, datetime, number
// and boolean. The API answers it as fieldJSON: Model and CustomObjectID are the fake's
// bookkeeping, not part of Vitally's answers.
type CustomField struct {
	ID             string
	Label          string
	Path           string
	Type           string
	Model          string
	CustomObjectID string
	CreatedAt      time.Time
}

// Write modes of a custom object ("REST API: Custom Objects", writeMode).
const (
	WriteModeWritable      = "writable"
	WriteModeWritableByAll = "writableByAll"
	WriteModeReadonly      = "readonly"
)

// writeModes are the write modes Vitally documents.
var writeModes = []string{WriteModeWritable, WriteModeWritableByAll, WriteModeReadonly}

// fieldJSON is a custom field as Vitally answers it: "The Custom Trait object" of "REST
// API: Custom Traits" (https://docs.vitally.io/en/articles/9880864-rest-api-custom-traits),
// id, createdAt, label, path, type and, for fields with options, options.
type fieldJSON struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Path      string `json:"path"`
	Type      string `json:"type"`
	CreatedAt string `json:"createdAt"`
}

// json returns f as Vitally answers it.
func (f CustomField) json() fieldJSON {
	return fieldJSON{ID: f.ID, Label: f.Label, Path: f.Path, Type: f.Type, CreatedAt: vitallyTime(f.CreatedAt)}
}

// objectJSON is a custom object as Vitally answers it: "The Custom Object object" of
// "REST API: Custom Objects", with its custom fields.
type objectJSON struct {
	ID           string      `json:"id"`
	CreatedAt    string      `json:"createdAt"`
	UpdatedAt    string      `json:"updatedAt"`
	Name         string      `json:"name"`
	Label        string      `json:"label"`
	SyncActive   bool        `json:"syncActive"`
	WriteMode    string      `json:"writeMode"`
	CustomFields []fieldJSON `json:"customFields"`
}

// objectJSON returns the custom object o as Vitally answers it. s.mu is held.
func (s *Server) objectJSON(o CustomObject) objectJSON {
	fields := []fieldJSON{}
	for _, f := range s.objectFields(o.ID) {
		fields = append(fields, f.json())
	}
	return objectJSON{ID: o.ID, CreatedAt: vitallyTime(o.CreatedAt), UpdatedAt: vitallyTime(o.UpdatedAt), Name: o.Name,
		Label: o.Label, SyncActive: o.SyncActive, WriteMode: o.WriteMode, CustomFields: fields}
}

// objectFields returns the custom object objID's fields sorted by label, as Vitally
// lists them. s.mu is held.
func (s *Server) objectFields(objID string) []CustomField {
	return s.fieldsWhere(func(f CustomField) bool { return f.Model == ModelCustomObjects && f.CustomObjectID == objID })
}

// fieldsWhere returns the fields for which match is true, sorted by label (case
// ignored). s.mu is held.
func (s *Server) fieldsWhere(match func(CustomField) bool) []CustomField {
	out := []CustomField{}
	for _, f := range s.fields {
		if match(f) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b CustomField) int {
		if c := strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)); c != 0 {
			return c
		}
		return strings.Compare(a.Label, b.Label)
	})
	return out
}

// vitallyTime formats t as Vitally's examples do: "2020-12-11T20:16:27.370Z".
func vitallyTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Instance is one instance of a custom object, linked to an account (CustomerID), an
// organization, or both, by their Vitally ids.
type Instance struct {
	ID             string         `json:"id"`
	CustomObjectID string         `json:"customObjectId"`
	Name           string         `json:"name"`
	ExternalID     string         `json:"externalId"`
	CustomerID     string         `json:"customerId,omitempty"`
	OrganizationID string         `json:"organizationId,omitempty"`
	Traits         map[string]any `json:"traits"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

// Custom field types the fake knows.
const (
	TypeString   = "string"
	TypeTextarea = "textarea"
	TypeDatetime = "datetime"
	TypeNumber   = "number"
	TypeBoolean  = "boolean"
)

// ModelCustomObjects is the model of custom object fields.
const ModelCustomObjects = "customObjects"

// models are the values the customFields route accepts for its model parameter.
var models = []string{"users", "accounts", "organizations", ModelCustomObjects, "tasks", "notes",
	"projects", "conversations", "team"}

// fieldTypes are the custom field types the fake knows.
var fieldTypes = []string{TypeString, TypeTextarea, TypeDatetime, TypeNumber, TypeBoolean}

// AddOrganization stores o, with a generated id ("org_1", ...) when o.ID is empty, and
// returns it as stored.
func (s *Server) AddOrganization(o Organization) Organization {
	s.mu.Lock()
	defer s.mu.Unlock()
	o = o.clone()
	o.ID = s.newID(o.ID, "org")
	s.orgs = append(s.orgs, o)
	return o.clone()
}

// AddAccount stores a, with a generated id ("acc_1", ...) when a.ID is empty, and
// returns it as stored.
func (s *Server) AddAccount(a Account) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	a = a.clone()
	a.ID = s.newID(a.ID, "acc")
	s.accounts = append(s.accounts, a)
	return a.clone()
}

// AddUser stores u, with a generated id ("usr_1", ...) when u.ID is empty and the
// current time when u.CreatedAt is zero, and returns it as stored. Unlike the API, it
// does not check u's links or externalId.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u = u.clone()
	u.ID = s.newID(u.ID, "usr")
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now().UTC()
	}
	s.users = append(s.users, u)
	return u.clone()
}

// AddCustomObject defines a custom object called name (its label too), writable, with a
// generated id ("obj_1", ...), and returns it.
func (s *Server) AddCustomObject(name string) CustomObject {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	o := CustomObject{ID: s.newID("", "obj"), Name: name, Label: name, WriteMode: WriteModeWritable, SyncActive: true,
		CreatedAt: now, UpdatedAt: now}
	s.objects = append(s.objects, o)
	return o
}

// CustomObjects returns every custom object, in the order they were created.
func (s *Server) CustomObjects() []CustomObject {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.objects)
}

// CustomFields returns the fields of the custom object objID, sorted by label.
func (s *Server) CustomFields(objID string) []CustomField {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objectFields(objID)
}

// AddCustomField defines f and returns it as stored. An empty ID is generated
// ("fld_1", ...), an empty Model is "customObjects", an empty Type is "string", a zero
// CreatedAt is now and an empty Path is "vitally.custom." followed by the label in lower
// camel case ("Request Closed At" gives "vitally.custom.requestClosedAt"). It panics when
// Type or Model is unknown, or when a custom object's field names no defined custom
// object.
func (s *Server) AddCustomField(f CustomField) CustomField {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Model == "" {
		f.Model = ModelCustomObjects
	}
	if f.Type == "" {
		f.Type = TypeString
	}
	if f.Path == "" {
		f.Path = "vitally.custom." + lowerCamel(f.Label)
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = s.now().UTC()
	}
	switch {
	case !slices.Contains(fieldTypes, f.Type):
		panic(fmt.Sprintf("vitallytest: custom field %q has unknown type %q", f.Label, f.Type))
	case !slices.Contains(models, f.Model):
		panic(fmt.Sprintf("vitallytest: custom field %q has unknown model %q", f.Label, f.Model))
	case f.Model == ModelCustomObjects && s.object(f.CustomObjectID) == nil:
		panic(fmt.Sprintf("vitallytest: custom field %q names unknown custom object %q", f.Label, f.CustomObjectID))
	}
	f.ID = s.newID(f.ID, "fld")
	s.fields = append(s.fields, f)
	return f
}

// AddInstance stores in as an instance of the custom object in.CustomObjectID, with a
// generated id ("ins_1", ...) when in.ID is empty and the current time when
// in.CreatedAt or in.UpdatedAt is zero, and returns it as stored. Unlike the API, it
// does not check in's links, externalId or traits. It panics when the custom object is
// not defined.
func (s *Server) AddInstance(in Instance) Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.object(in.CustomObjectID) == nil {
		panic(fmt.Sprintf("vitallytest: instance of unknown custom object %q", in.CustomObjectID))
	}
	in = in.clone()
	in.ID = s.newID(in.ID, "ins")
	now := s.now().UTC()
	if in.CreatedAt.IsZero() {
		in.CreatedAt = now
	}
	if in.UpdatedAt.IsZero() {
		in.UpdatedAt = now
	}
	s.instances = append(s.instances, in)
	return in.clone()
}

// Instances returns the instances of the custom object objectID in the order they
// were created.
func (s *Server) Instances(objectID string) []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Instance{}
	for _, in := range s.instances {
		if in.CustomObjectID == objectID {
			out = append(out, in.clone())
		}
	}
	return out
}

// InstanceByExternalID returns the instance of the custom object objectID with the
// given externalId, and whether there is one.
func (s *Server) InstanceByExternalID(objectID, externalID string) (Instance, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.instances {
		if in.CustomObjectID == objectID && in.ExternalID == externalID {
			return in.clone(), true
		}
	}
	return Instance{}, false
}

// Users returns every user, in the order they were created.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = u.clone()
	}
	return out
}

// newID returns id when it is not empty, and otherwise the first unused id made of
// prefix, "_" and a counter. s.mu is held.
func (s *Server) newID(id, prefix string) string {
	if id == "" {
		for {
			s.seq[prefix]++
			id = prefix + "_" + strconv.Itoa(s.seq[prefix])
			if !s.ids[id] {
				break
			}
		}
	}
	s.ids[id] = true
	return id
}

// organization returns the organization with Vitally id or externalId key, or nil.
// s.mu is held.
func (s *Server) organization(key string) *Organization {
	if i := slices.IndexFunc(s.orgs, func(o Organization) bool { return o.ID == key }); i >= 0 {
		return &s.orgs[i]
	}
	if i := slices.IndexFunc(s.orgs, func(o Organization) bool { return o.ExternalID == key }); i >= 0 {
		return &s.orgs[i]
	}
	return nil
}

// account returns the account with Vitally id or externalId key, or nil. s.mu is held.
func (s *Server) account(key string) *Account {
	if i := slices.IndexFunc(s.accounts, func(a Account) bool { return a.ID == key }); i >= 0 {
		return &s.accounts[i]
	}
	if i := slices.IndexFunc(s.accounts, func(a Account) bool { return a.ExternalID == key }); i >= 0 {
		return &s.accounts[i]
	}
	return nil
}

// hasOrganization reports whether an organization has Vitally id id. s.mu is held.
func (s *Server) hasOrganization(id string) bool {
	return slices.ContainsFunc(s.orgs, func(o Organization) bool { return o.ID == id })
}

// accountByID returns the account with Vitally id id, or nil. s.mu is held.
func (s *Server) accountByID(id string) *Account {
	if i := slices.IndexFunc(s.accounts, func(a Account) bool { return a.ID == id }); i >= 0 {
		return &s.accounts[i]
	}
	return nil
}

// object returns the custom object with id id, or nil. s.mu is held.
func (s *Server) object(id string) *CustomObject {
	if i := slices.IndexFunc(s.objects, func(o CustomObject) bool { return o.ID == id }); i >= 0 {
		return &s.objects[i]
	}
	return nil
}

// clone returns a deep copy of o, with non-nil traits.
func (o Organization) clone() Organization {
	o.Traits = cloneTraits(o.Traits)
	return o
}

// clone returns a deep copy of a, with non-nil traits.
func (a Account) clone() Account {
	a.Traits = cloneTraits(a.Traits)
	return a
}

// clone returns a deep copy of u, with non-nil links and traits.
func (u User) clone() User {
	u.AccountIDs = append([]string{}, u.AccountIDs...)
	u.OrganizationIDs = append([]string{}, u.OrganizationIDs...)
	u.Traits = cloneTraits(u.Traits)
	return u
}

// clone returns a deep copy of in, with non-nil traits.
func (in Instance) clone() Instance {
	in.Traits = cloneTraits(in.Traits)
	return in
}

// cloneTraits returns a deep copy of traits, never nil.
func cloneTraits(traits map[string]any) map[string]any {
	out := make(map[string]any, len(traits))
	for k, v := range traits {
		out[k] = cloneValue(v)
	}
	return out
}

// cloneValue returns a deep copy of a JSON-like value: maps and slices are copied, other
// values are returned as they are.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneTraits(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	case []string:
		return slices.Clone(v)
	default:
		return v
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// TraitsByLabel returns in's traits keyed by the labels of its object's custom fields
// (traits with no such field are left out), to read what a client sent by trait name.
func (s *Server) TraitsByLabel(in Instance) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for _, f := range s.fields {
		if f.Model != ModelCustomObjects || f.CustomObjectID != in.CustomObjectID {
			continue
		}
		if v, ok := in.Traits[f.Path]; ok {
			out[f.Label] = cloneValue(v)
		}
	}
	return out
}
