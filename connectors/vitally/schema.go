package vitally

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
)

// The schema is the custom object Frontdesk writes tickets to and its fields (Vitally
// calls them custom traits). Frontdesk makes what it needs: when the object is missing it
// creates it with every trait, and when traits are missing (a new custom category, an
// object an admin made by hand) it adds them. Only when Vitally refuses is the admin told
// what to create by hand.
//
// Vitally's calls, from "REST API: Custom Objects"
// (https://docs.vitally.io/en/articles/9880872-rest-api-custom-objects) and
// "REST API: Custom Traits" (https://docs.vitally.io/en/articles/9880864-rest-api-custom-traits),
// the bodies of the create and update as summarised from Vitally's API reference at
// https://withone.ai/knowledge/vitally:
//
//	GET  /resources/customObjects                       a page of objects
//	POST /resources/customObjects                       {name, label, writeMode, customFields: [{label, type}]}
//	GET  /resources/customFields?model=customObjects&customObjectId=…   a bare array, by label
//	PUT  /resources/customObjects/{id}                  {customFields: [...]}
//
// Whether Vitally's update takes customFields as the object's whole list or as fields to
// add is not documented. Frontdesk sends the whole list, the fields Vitally has (with
// their ids) and the ones to add (without), which is right either way, and reads the
// fields again to see what Vitally made of it.

// objectWriteMode is the writeMode of the object Frontdesk creates: "writable" lets
// Vitally's admins and leaders (not every team member) create instances by hand; the
// other values are "writableByAll" and "readonly".
const objectWriteMode = "writable"

// schema is a custom object and its fields by lowercased label, as fetched at. refused,
// when set, is why Vitally would not create what is missing: the object (objectID is then
// "") or some traits.
type schema struct {
	objectID string
	fields   map[string]customField
	at       time.Time
	refused  error
}

// has reports whether the schema has a field for every trait of want.
func (sc *schema) has(want []Trait) bool {
	for _, tr := range want {
		if _, ok := sc.fields[strings.ToLower(tr.Label)]; !ok {
			return false
		}
	}
	return true
}

// ensured is what ensure found and did.
type ensured struct {
	schema
	createdObject bool     // the object was missing and Frontdesk created it
	added         []Trait  // traits Frontdesk added to the object
	missing       []Trait  // traits still missing (Vitally refused, or did not add them)
	mistyped      []string // "Status is number, should be string"
	twins         int      // other objects with the same name, which Frontdesk does not use
}

// ensure makes sure Vitally has the custom object called name with a field for every
// trait of want, creating what is missing. A refusal (Vitally's permissions, an API that
// cannot create objects) is no error: it is in the result, with what is missing. Other
// errors (Vitally unreachable, the secret refused, the rate limit) are returned.
func ensure(ctx context.Context, c *client, name string, want []Trait, now time.Time) (ensured, error) {
	var r ensured
	r.at = now
	objs, err := c.customObjects(ctx)
	if err != nil {
		return r, err
	}
	obj, twins, ok := findObject(objs, name)
	if !ok {
		created, err := c.createObject(ctx, objectWrite{Name: name, Label: name, WriteMode: objectWriteMode, CustomFields: newFields(want)})
		if refusal(err) {
			r.refused, r.missing = err, slices.Clone(want)
			return r, nil
		}
		if err != nil {
			return r, err
		}
		r.createdObject = true
		// Read the list again: when two Frontdesk processes created the object at the
		// same moment, both go on with the one created first.
		if objs, err = c.customObjects(ctx); err != nil {
			return r, err
		}
		if obj, twins, ok = findObject(objs, name); !ok {
			if created.ID == "" {
				return r, fmt.Errorf("vitally: the custom object %q was created but is not listed yet", name)
			}
			obj = created
		}
	}
	r.objectID, r.twins = obj.ID, twins
	fields, err := c.customFields(ctx, obj.ID)
	if err != nil {
		return r, err
	}
	before := fields
	if r.createdObject {
		before = nil
	}
	if add := lacking(fields, want); len(add) > 0 {
		err := c.updateObject(ctx, obj.ID, objectWrite{CustomFields: append(haveFields(fields), newFields(add)...)})
		switch {
		case refusal(err):
			r.refused = err
		case err != nil:
			return r, err
		default:
			if fields, err = c.customFields(ctx, obj.ID); err != nil {
				return r, err
			}
			if still := lacking(fields, want); len(still) > 0 {
				r.refused = fmt.Errorf("vitally: PUT /resources/customObjects/%s was accepted but did not add %s", obj.ID, traitList(still))
			}
		}
	}
	r.missing = lacking(fields, want)
	for _, tr := range lacking(before, want) {
		if !slices.Contains(r.missing, tr) {
			r.added = append(r.added, tr)
		}
	}
	r.fields = byLabel(fields)
	for _, tr := range want {
		if f, ok := r.fields[strings.ToLower(tr.Label)]; ok && !typeFits(f.Type, tr.Type) {
			r.mistyped = append(r.mistyped, fmt.Sprintf("%s is %s, should be %s", tr.Label, f.Type, tr.Type))
		}
	}
	return r, nil
}

// refusal reports whether err is Vitally declining to create an object or a field, as
// opposed to trouble that passes: no permission (403), or a request this Vitally does not
// take (400, 404, 405, 409, 422, 501).
func refusal(err error) bool {
	switch statusOf(err) {
	case http.StatusForbidden, http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed,
		http.StatusConflict, http.StatusUnprocessableEntity, http.StatusNotImplemented:
		return true
	}
	return false
}

// lacking are the traits of want that fields have no field for (labels compared without
// case).
func lacking(fields []customField, want []Trait) []Trait {
	have := byLabel(fields)
	var out []Trait
	for _, tr := range want {
		if _, ok := have[strings.ToLower(tr.Label)]; !ok {
			out = append(out, tr)
		}
	}
	return out
}

// byLabel indexes fields by lowercased label; of two fields with one label (made by two
// processes at once), the one created first wins, so that every process writes to it.
func byLabel(fields []customField) map[string]customField {
	out := map[string]customField{}
	for _, f := range fields {
		k := strings.ToLower(strings.TrimSpace(f.Label))
		if prev, ok := out[k]; !ok || older(f.CreatedAt, f.ID, prev.CreatedAt, prev.ID) {
			out[k] = f
		}
	}
	return out
}

// older reports whether the thing created at a with id aid came before the one created at
// b with id bid (RFC 3339 times compare as strings; ids break ties).
func older(a, aid, b, bid string) bool {
	return cmp.Or(strings.Compare(a, b), strings.Compare(aid, bid)) < 0
}

func newFields(ts []Trait) []fieldWrite {
	out := make([]fieldWrite, len(ts))
	for i, tr := range ts {
		out[i] = fieldWrite{Label: tr.Label, Type: tr.Type}
	}
	return out
}

func haveFields(fs []customField) []fieldWrite {
	out := make([]fieldWrite, len(fs))
	for i, f := range fs {
		out[i] = fieldWrite{ID: f.ID, Label: f.Label, Type: f.Type}
	}
	return out
}

// findObject finds the custom object called name (its name or label, case ignored): the
// one created first when there are several, and how many others there are.
func findObject(objs []customObject, name string) (obj customObject, twins int, ok bool) {
	for _, o := range objs {
		if !strings.EqualFold(strings.TrimSpace(o.Name), name) && !strings.EqualFold(strings.TrimSpace(o.Label), name) {
			continue
		}
		if !ok || older(o.CreatedAt, o.ID, obj.CreatedAt, obj.ID) {
			if ok {
				twins++
			}
			obj, ok = o, true
		} else {
			twins++
		}
	}
	return obj, twins, ok
}

// schemas remembers each Vitally's schema for a while, and lets one sync at a time (in
// this process) make what is missing.
type schemas struct {
	ttl time.Duration

	make sync.Mutex // held while ensure runs

	mu sync.Mutex
	by map[string]*schema // by base URL + object name
}

func schemaKey(u setup) string { return u.apiURL + "\x00" + strings.ToLower(u.object) }

func (ss *schemas) get(u setup) *schema {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.by[schemaKey(u)]
}

func (ss *schemas) put(u setup, sc *schema) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.by[schemaKey(u)] = sc
}

// forget drops u's remembered schema.
func (ss *schemas) forget(u setup) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.by, schemaKey(u))
}

// fresh reports whether sc can be used at now for traits want: it is recent and has every
// trait, or Vitally refused what it lacks not long ago.
func (ss *schemas) fresh(sc *schema, want []Trait, now time.Time) bool {
	return sc != nil && now.Sub(sc.at) < ss.ttl && (sc.refused != nil || sc.has(want))
}

// schemaOf returns the custom object and its fields for traits want, made in Vitally when
// missing (ensure) and remembered for options.schemaTTL. Traits Vitally lacks and would
// not create are left out of syncs and reported on each ticket; an object it would not
// create is a noSync.
func (s *Sink) schemaOf(ctx context.Context, c *client, u setup, want []Trait) (*schema, error) {
	now := s.opt.now()
	sc := s.schemas.get(u)
	if !s.schemas.fresh(sc, want, now) {
		s.schemas.make.Lock()
		sc = s.schemas.get(u) // another sync may have made it meanwhile
		if !s.schemas.fresh(sc, want, now) {
			r, err := ensure(ctx, c, u.object, want, now)
			if err != nil {
				s.schemas.make.Unlock()
				return nil, err
			}
			s.logEnsured(u, r)
			sc = &r.schema
			s.schemas.put(u, sc)
		}
		s.schemas.make.Unlock()
	}
	if sc.objectID == "" {
		return nil, refuse(ReasonNoObject, "Vitally has no custom object named %q and would not let Frontdesk create it (%s)", u.object, refusedWhy(sc.refused))
	}
	return sc, nil
}

// logEnsured logs what ensure made in Vitally or could not make (names of traits, never
// customer data).
func (s *Sink) logEnsured(u setup, r ensured) {
	if r.createdObject {
		s.log.Info("created the custom object in Vitally", zap.String("object", u.object), zap.Int("traits", len(r.added)))
	} else if len(r.added) > 0 {
		s.log.Info("added traits to the custom object in Vitally", zap.String("object", u.object), zap.String("traits", traitList(r.added)))
	}
	if r.refused != nil {
		s.log.Warn("Vitally would not create what Frontdesk needs", zap.String("object", u.object), zap.String("missing", traitList(r.missing)),
			zap.String("why", refusedWhy(r.refused)))
	}
	if r.twins > 0 {
		s.log.Warn("Vitally has several custom objects of that name; Frontdesk uses the one created first", zap.String("object", u.object),
			zap.String("object_id", r.objectID), zap.Int("others", r.twins))
	}
}

// refusedWhy is Vitally's refusal in a few words: its status and message.
func refusedWhy(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.Message != "" {
			return fmt.Sprintf("%d: %s", ae.Status, ae.Message)
		}
		return fmt.Sprintf("%d", ae.Status)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// Prepare makes, at start, what the environment's Vitally (VITALLY_API_URL) needs: the
// custom object and its traits, so that they are there before the first ticket. Vitally
// unreachable is tried again with backoff until it answers or ctx ends; a refusal is
// logged (and every ticket says what is missing). It returns nil: the first sync makes
// what is missing too.
func (s *Sink) Prepare(ctx context.Context) error {
	if !s.env.Enabled() {
		return nil
	}
	wait := time.Second
	for {
		u, st, err := s.current(ctx)
		if err == nil {
			if !u.configured() {
				return nil
			}
			_, err = s.schemaOf(ctx, s.client(u), u, wanted(st))
			var ns *noSync
			if err == nil || errors.As(err, &ns) {
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		s.log.Warn("could not set up Vitally yet; trying again", zap.Error(err), zap.Duration("in", wait))
		if !httpsrc.Sleep(ctx, wait) {
			return nil
		}
		wait = min(2*wait, 5*time.Minute)
	}
}
