package vitallytest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The custom object routes: objects and their fields (custom traits). Shapes follow
// "REST API: Custom Objects" (https://docs.vitally.io/en/articles/9880872-rest-api-custom-objects)
// and "REST API: Custom Traits" (https://docs.vitally.io/en/articles/9880864-rest-api-custom-traits);
// the bodies of the create and the update follow the summary of Vitally's API reference
// at https://withone.ai/knowledge/vitally ("Create a Custom Object", "Update a Custom
// Object"), as the public help pages do not show them.

// RefuseSchemaChanges answers every create or update of a custom object with status
// (403: the secret's user may not manage custom objects), changing nothing, until
// RefuseSchemaChanges(0).
func (s *Server) RefuseSchemaChanges(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseSchema = status
}

// refusedSchema answers a schema change when RefuseSchemaChanges is in force, and reports
// whether it did. s.mu is held.
func (s *Server) refusedSchema(w http.ResponseWriter) bool {
	if s.refuseSchema == 0 {
		return false
	}
	msg := http.StatusText(s.refuseSchema)
	if s.refuseSchema == http.StatusForbidden {
		msg = "You do not have permission to manage custom objects"
	}
	writeError(w, s.refuseSchema, msg)
	return true
}

// listCustomObjects answers GET /resources/customObjects with a page of the custom
// objects, each with its fields ("List Custom Objects": paginated).
func (s *Server) listCustomObjects(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out := make([]objectJSON, len(s.objects))
	for i, o := range s.objects {
		out[i] = s.objectJSON(o)
	}
	writePage(w, p, out)
}

// getCustomObject answers GET /resources/customObjects/{obj}.
func (s *Server) getCustomObject(w http.ResponseWriter, r *http.Request) {
	o := s.object(r.PathValue("obj"))
	if o == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, s.objectJSON(*o))
}

// objectBody is the body of POST /resources/customObjects and PUT
// /resources/customObjects/{obj}.
type objectBody struct {
	Name         *string     `json:"name"`
	Label        *string     `json:"label"`
	WriteMode    *string     `json:"writeMode"`
	CustomFields []fieldBody `json:"customFields"`
}

// fieldBody is one of objectBody's customFields: an existing field (by id) or a new one.
// model is accepted and ignored: the summary of Vitally's reference shows it
// ("CustomObject").
type fieldBody struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Type  string `json:"type"`
	Model string `json:"model"`
}

// createCustomObject answers POST /resources/customObjects: name, label and writeMode
// are required, customFields optional. Vitally does not document whether two objects may
// share a name; the fake lets them, so that a client that creates twice makes two.
func (s *Server) createCustomObject(w http.ResponseWriter, r *http.Request) {
	var b objectBody
	if !decodeBody(w, r, &b) {
		return
	}
	if s.refusedSchema(w) {
		return
	}
	err := func() error {
		switch {
		case b.Name == nil || strings.TrimSpace(*b.Name) == "":
			return errors.New("name is required")
		case b.Label == nil || strings.TrimSpace(*b.Label) == "":
			return errors.New("label is required")
		case b.WriteMode == nil:
			return errors.New("writeMode is required")
		case !slices.Contains(writeModes, *b.WriteMode):
			return fmt.Errorf("writeMode must be one of %s", strings.Join(writeModes, ", "))
		}
		for _, f := range b.CustomFields {
			if f.ID != "" {
				return errors.New("a new custom object's customFields have no ids")
			}
		}
		return checkFields(b.CustomFields)
	}()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	now := s.now().UTC()
	o := CustomObject{ID: s.newID("", "obj"), Name: *b.Name, Label: *b.Label, WriteMode: *b.WriteMode, SyncActive: true,
		CreatedAt: now, UpdatedAt: now}
	s.objects = append(s.objects, o)
	for _, f := range b.CustomFields {
		s.addField(o.ID, f)
	}
	writeJSON(w, s.objectJSON(o))
}

// updateCustomObject answers PUT /resources/customObjects/{obj}: name, label and
// writeMode replace the object's when given. customFields, when given, is taken as the
// object's whole list of fields: an entry with an id keeps that field (its label may
// change, not its type), an entry without one adds a field, and a field left out is
// deleted. Vitally does not document which it is (a whole list, or fields to add); the
// fake takes the reading that punishes a client that sends only the new fields.
func (s *Server) updateCustomObject(w http.ResponseWriter, r *http.Request) {
	o := s.object(r.PathValue("obj"))
	if o == nil {
		writeNotFound(w)
		return
	}
	var b objectBody
	if !decodeBody(w, r, &b) {
		return
	}
	if s.refusedSchema(w) {
		return
	}
	err := func() error {
		switch {
		case b.Name != nil && strings.TrimSpace(*b.Name) == "":
			return errors.New("name must not be empty")
		case b.Label != nil && strings.TrimSpace(*b.Label) == "":
			return errors.New("label must not be empty")
		case b.WriteMode != nil && !slices.Contains(writeModes, *b.WriteMode):
			return fmt.Errorf("writeMode must be one of %s", strings.Join(writeModes, ", "))
		}
		if b.CustomFields == nil {
			return nil
		}
		if err := checkFields(b.CustomFields); err != nil {
			return err
		}
		for _, f := range b.CustomFields {
			if f.ID == "" {
				continue
			}
			i := slices.IndexFunc(s.fields, func(x CustomField) bool { return x.ID == f.ID && x.CustomObjectID == o.ID })
			if i < 0 {
				return fmt.Errorf("custom object %s has no field %q", o.ID, f.ID)
			}
			if s.fields[i].Type != f.Type {
				return fmt.Errorf("the type of field %q cannot change from %s to %s", f.ID, s.fields[i].Type, f.Type)
			}
		}
		return nil
	}()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if b.Name != nil {
		o.Name = *b.Name
	}
	if b.Label != nil {
		o.Label = *b.Label
	}
	if b.WriteMode != nil {
		o.WriteMode = *b.WriteMode
	}
	o.UpdatedAt = s.now().UTC()
	if b.CustomFields != nil {
		keep := map[string]string{} // id → label
		for _, f := range b.CustomFields {
			if f.ID != "" {
				keep[f.ID] = f.Label
			}
		}
		s.fields = slices.DeleteFunc(s.fields, func(f CustomField) bool {
			_, ok := keep[f.ID]
			return f.Model == ModelCustomObjects && f.CustomObjectID == o.ID && !ok
		})
		for i := range s.fields {
			if l, ok := keep[s.fields[i].ID]; ok {
				s.fields[i].Label = l
			}
		}
		for _, f := range b.CustomFields {
			if f.ID == "" {
				s.addField(o.ID, f)
			}
		}
	}
	writeJSON(w, s.objectJSON(*o))
}

// checkFields returns what is wrong with the customFields of a body: a field without a
// label, of a type the fake does not know, or two fields with one label (case ignored).
func checkFields(fs []fieldBody) error {
	seen := map[string]bool{}
	for _, f := range fs {
		l := strings.ToLower(strings.TrimSpace(f.Label))
		switch {
		case l == "":
			return errors.New("every custom field needs a label")
		case !slices.Contains(fieldTypes, f.Type):
			return fmt.Errorf("custom field %q has unknown type %q", f.Label, f.Type)
		case seen[l]:
			return fmt.Errorf("two custom fields are labelled %q", f.Label)
		}
		seen[l] = true
	}
	return nil
}

// addField adds the field f to the custom object objID, with a path made from its label
// that no other field of the object has. s.mu is held.
func (s *Server) addField(objID string, f fieldBody) {
	base := "vitally.custom." + lowerCamel(f.Label)
	path := base
	for n := 2; slices.ContainsFunc(s.objectFields(objID), func(x CustomField) bool { return x.Path == path }); n++ {
		path = base + strconv.Itoa(n)
	}
	s.fields = append(s.fields, CustomField{ID: s.newID("", "fld"), Label: f.Label, Path: path, Type: f.Type,
		Model: ModelCustomObjects, CustomObjectID: objID, CreatedAt: s.now().UTC()})
}

// listCustomFields answers GET /resources/customFields with the custom fields of a
// model (and, for customObjects, of one custom object) as a bare JSON array sorted by
// label, as "List Custom Traits By Model" shows; it does not page.
func (s *Server) listCustomFields(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	model, objID := q.Get("model"), q.Get("customObjectId")
	switch {
	case model == "":
		writeError(w, http.StatusBadRequest, "model is required")
		return
	case !slices.Contains(models, model):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown model %q", model))
		return
	case model == ModelCustomObjects && objID == "":
		writeError(w, http.StatusBadRequest, "customObjectId is required for model customObjects")
		return
	case model == ModelCustomObjects && s.object(objID) == nil:
		writeNotFound(w)
		return
	}
	out := []fieldJSON{}
	for _, f := range s.fieldsWhere(func(f CustomField) bool {
		return f.Model == model && (model != ModelCustomObjects || f.CustomObjectID == objID)
	}) {
		out = append(out, f.json())
	}
	writeJSON(w, out)
}
