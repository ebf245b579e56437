package chatra

import (
	"slices"
	"strconv"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Limits the tickets domain puts on a customer.
const (
	maxFields     = 100
	maxFieldBytes = 2000
	maxKeyBytes   = 256
	// maxDepth bounds how deep nested objects are followed.
	maxDepth = 4
)

// infoKeys are the objects of client whose fields are shown under their own keys: info
// (what the site set with setIntegrationData, confirmed) and basicInfo / displayedInfo
// (the visitor's details and contact-form answers, not confirmed).
var infoKeys = []string{"info", "basicInfo", "displayedInfo"}

// customer describes the visitor from the webhook's client object: id is client.id;
// name (displayedName or name), email and phone come from client or, failing that, from
// its info objects; every other scalar field (last visit, IP, language, browser, OS,
// location, contact-form fields...) goes to Fields under its key, stringified. The fields
// of the info objects are taken as the client's own; other nested objects are flattened
// with dotted keys ("chatStartedPage.title"). On a clash the first found wins, in the
// order: client, info, basicInfo, displayedInfo, then nested objects. At most 100 fields
// are kept; values are clipped to 2000 bytes.
func (p *payload) customer() tickets.Customer {
	c := tickets.Customer{ID: p.clientID}
	sources := []map[string]any{p.client}
	for _, k := range infoKeys {
		if o := obj(p.client[k]); o != nil {
			sources = append(sources, o)
		}
	}
	for _, s := range sources {
		c.Name = first(c.Name, str(s, "displayedName", "name", "Name"))
		c.Email = first(c.Email, str(s, "email", "Email"))
		c.Phone = first(c.Phone, str(s, "phone", "Phone", "phoneNumber"))
	}
	c.Name, c.Email, c.Phone = clipField(c.Name), clipField(c.Email), clipField(c.Phone)

	f := fields{}
	for _, s := range sources { // scalars first, so that they win over nested values
		for _, k := range sortedKeys(s) {
			if v, ok := scalar(s[k]); ok {
				f.add(k, v)
			}
		}
	}
	for i, s := range sources {
		for _, k := range sortedKeys(s) {
			if i == 0 && slices.Contains(infoKeys, k) && obj(s[k]) != nil {
				continue // an info object: its fields were taken above
			}
			if _, ok := scalar(s[k]); !ok && s[k] != nil {
				f.flatten(k, s[k], 1)
			}
		}
	}
	if len(f) > 0 {
		c.Fields = f
	}
	return c
}

// fields is Customer.Fields being built.
type fields map[string]string

// skipKeys name what has a place of its own on the ticket, or is not worth showing.
var skipKeys = map[string]bool{
	"id": true, "_id": true, "name": true, "Name": true, "displayedName": true,
	"email": true, "Email": true, "phone": true, "Phone": true, "phoneNumber": true,
}

func (f fields) add(key, v string) {
	if skipKeys[key] || key == "" || len(key) > maxKeyBytes || v == "" || len(f) >= maxFields {
		return
	}
	if _, ok := f[key]; !ok {
		f[key] = clipField(v)
	}
}

// flatten adds v (an object or array found under key) as dotted keys; an array of
// scalars becomes one comma-separated value.
func (f fields) flatten(key string, v any, depth int) {
	if depth > maxDepth {
		return
	}
	if o := obj(v); o != nil {
		for _, k := range sortedKeys(o) {
			if skipKeys[k] {
				continue
			}
			if s, ok := scalar(o[k]); ok {
				f.add(key+"."+k, s)
			} else {
				f.flatten(key+"."+k, o[k], depth+1)
			}
		}
		return
	}
	var list []string
	for i, e := range arr(v) {
		if s, ok := scalar(e); ok {
			list = append(list, s)
		} else if e != nil {
			f.flatten(key+"."+strconv.Itoa(i), e, depth+1)
		}
	}
	if len(list) > 0 {
		f.add(key, strings.Join(list, ", "))
	}
}

// first is a unless it is empty, else b.
func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func clipField(s string) string { return tickets.Clip(s, maxFieldBytes) }

// sortedKeys returns m's keys in order, so that what is kept is the same every time.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
