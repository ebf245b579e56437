package vitally

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// The parts of Vitally's REST resources Frontdesk reads. Vitally ids are the "id" fields;
// "externalId" is the id the customer's own systems gave.

type user struct {
	ID              string   `json:"id"`
	ExternalID      string   `json:"externalId"`
	Name            string   `json:"name"`
	Email           string   `json:"email"`
	AccountIDs      []string `json:"accountIds"`
	OrganizationIDs []string `json:"organizationIds"`
}

type account struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	OrganizationID string `json:"organizationId"`
}

type organization struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// customObject is a custom object as "REST API: Custom Objects" describes it
// (https://docs.vitally.io/en/articles/9880872-rest-api-custom-objects). Its
// customFields are not read here: their shape differs between Vitally's examples, and
// the fields are listed with customFields.
type customObject struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Label     string `json:"label"`
	CreatedAt string `json:"createdAt"`
}

// customField is a custom trait as "REST API: Custom Traits" describes it
// (https://docs.vitally.io/en/articles/9880864-rest-api-custom-traits): path is the key
// of its value in an instance's traits.
type customField struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Path      string `json:"path"`
	Type      string `json:"type"`
	CreatedAt string `json:"createdAt"`
}

// objectWrite is the body of a custom object's create (POST /resources/customObjects)
// and update (PUT /resources/customObjects/{id}): name, label and writeMode are required
// on create; customFields, on update, is the object's whole list of fields (see
// addFields).
type objectWrite struct {
	Name         string       `json:"name,omitempty"`
	Label        string       `json:"label,omitempty"`
	WriteMode    string       `json:"writeMode,omitempty"`
	CustomFields []fieldWrite `json:"customFields,omitempty"`
}

// fieldWrite is one of objectWrite's customFields: a field Vitally has (with its id) or
// one to add (without).
type fieldWrite struct {
	ID    string `json:"id,omitempty"`
	Label string `json:"label"`
	Type  string `json:"type"`
}

type instance struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
}

// instanceWrite is the body of an instance's create (POST) or update (PUT): an update
// sends neither externalId nor links, which are set once.
type instanceWrite struct {
	Name           string         `json:"name,omitempty"`
	ExternalID     string         `json:"externalId,omitempty"`
	CustomerID     string         `json:"customerId,omitempty"`
	OrganizationID string         `json:"organizationId,omitempty"`
	Traits         map[string]any `json:"traits"`
}

type newUser struct {
	ExternalID      string   `json:"externalId"`
	Name            string   `json:"name,omitempty"`
	Email           string   `json:"email,omitempty"`
	AccountIDs      []string `json:"accountIds,omitempty"`
	OrganizationIDs []string `json:"organizationIds,omitempty"`
}

// page is one page of a list: results, and the cursor of the next page (nil on the last).
type page[T any] struct {
	Results []T     `json:"results"`
	Next    *string `json:"next"`
}

// maxPages bounds a list walk, in case a cursor never ends.
const maxPages = 100

// list walks every page of a list resource. paged says whether Vitally documents the
// resource as paged (limit and from); either way the answer may be a page
// {"results": [...], "next": cursor or null} or a bare JSON array, the whole list.
func list[T any](ctx context.Context, c *client, path string, q url.Values, paged bool) ([]T, error) {
	var all []T
	if q == nil {
		q = url.Values{}
	}
	if paged {
		q.Set("limit", "100")
	}
	for range maxPages {
		var raw json.RawMessage
		if err := c.do(ctx, http.MethodGet, path, q, nil, &raw); err != nil {
			return nil, err
		}
		items, next, err := decodeList[T](raw)
		if err != nil {
			return nil, fmt.Errorf("vitally: GET %s: undecodable answer: %w", path, err)
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		q.Set("from", next)
	}
	return all, nil
}

// decodeList decodes a list answer: a bare JSON array (the whole list) or a page, whose
// next cursor it returns ("" on the last page).
func decodeList[T any](raw []byte) (items []T, next string, err error) {
	if b := bytes.TrimLeft(raw, " \t\r\n"); len(b) > 0 && b[0] == '[' {
		err = json.Unmarshal(b, &items)
		return items, "", err
	}
	var p page[T]
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, "", err
	}
	if p.Next != nil {
		next = *p.Next
	}
	return p.Results, next, nil
}

// searchUsers finds users by exactly one of email, externalId or emailSubdomain.
func (c *client) searchUsers(ctx context.Context, by, value string) ([]user, error) {
	var r struct {
		Results []user `json:"results"`
	}
	err := c.do(ctx, http.MethodGet, "/resources/users/search", url.Values{by: {value}}, nil, &r)
	return r.Results, err
}

func (c *client) createUser(ctx context.Context, u newUser) (user, error) {
	var out user
	err := c.do(ctx, http.MethodPost, "/resources/users", nil, u, &out)
	return out, err
}

func (c *client) account(ctx context.Context, id string) (account, error) {
	var a account
	err := c.do(ctx, http.MethodGet, "/resources/accounts/"+url.PathEscape(id), nil, nil, &a)
	return a, err
}

func (c *client) organization(ctx context.Context, id string) (organization, error) {
	var o organization
	err := c.do(ctx, http.MethodGet, "/resources/organizations/"+url.PathEscape(id), nil, nil, &o)
	return o, err
}

// customObjects lists the custom objects: a paged list ("REST API: Custom Objects",
// List Custom Objects).
func (c *client) customObjects(ctx context.Context) ([]customObject, error) {
	return list[customObject](ctx, c, "/resources/customObjects", nil, true)
}

// customFields lists a custom object's fields. Vitally answers a bare array sorted by
// label ("REST API: Custom Traits", List Custom Traits By Model,
// https://docs.vitally.io/en/articles/9880864-rest-api-custom-traits); a page is taken
// too.
func (c *client) customFields(ctx context.Context, objectID string) ([]customField, error) {
	return list[customField](ctx, c, "/resources/customFields",
		url.Values{"model": {"customObjects"}, "customObjectId": {objectID}}, false)
}

// createObject creates a custom object with its fields: POST /resources/customObjects
// with name, label, writeMode and customFields [{label, type}], answered with the object
// (Vitally's "Create a Custom Object"; the body's shape is from a summary of Vitally's
// API reference, https://withone.ai/knowledge/vitally, as the public help page does not
// show it).
func (c *client) createObject(ctx context.Context, w objectWrite) (customObject, error) {
	var o customObject
	err := c.do(ctx, http.MethodPost, "/resources/customObjects", nil, w, &o)
	return o, err
}

// updateObject updates a custom object: PUT /resources/customObjects/{id} (Vitally's
// "Update a Custom Object", same source as createObject).
func (c *client) updateObject(ctx context.Context, id string, w objectWrite) error {
	return c.do(ctx, http.MethodPut, "/resources/customObjects/"+url.PathEscape(id), nil, w, nil)
}

func instancesPath(objectID string) string {
	return "/resources/customObjects/" + url.PathEscape(objectID) + "/instances"
}

// findInstance returns the object's instance with externalID, or nil when there is none.
func (c *client) findInstance(ctx context.Context, objectID, externalID string) (*instance, error) {
	var in instance
	err := c.do(ctx, http.MethodGet, instancesPath(objectID)+"/search", url.Values{"externalId": {externalID}}, nil, &in)
	if statusOf(err) == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if in.ID == "" {
		return nil, nil // an empty answer: no match
	}
	return &in, nil
}

func (c *client) createInstance(ctx context.Context, objectID string, w instanceWrite) (instance, error) {
	var in instance
	err := c.do(ctx, http.MethodPost, instancesPath(objectID), nil, w, &in)
	return in, err
}

func (c *client) updateInstance(ctx context.Context, objectID, instanceID string, w instanceWrite) error {
	return c.do(ctx, http.MethodPut, instancesPath(objectID)+"/"+url.PathEscape(instanceID), nil, w, nil)
}
