package vitally

import (
	"context"
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

type customObject struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Label string `json:"label"`
}

type customField struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Path  string `json:"path"`
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

// list walks every page of a list resource.
func list[T any](ctx context.Context, c *client, path string, q url.Values) ([]T, error) {
	var all []T
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", "100")
	for range maxPages {
		var p page[T]
		if err := c.do(ctx, http.MethodGet, path, q, nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Results...)
		if p.Next == nil || *p.Next == "" {
			return all, nil
		}
		q.Set("from", *p.Next)
	}
	return all, nil
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

func (c *client) customObjects(ctx context.Context) ([]customObject, error) {
	return list[customObject](ctx, c, "/resources/customObjects", nil)
}

func (c *client) customFields(ctx context.Context, objectID string) ([]customField, error) {
	return list[customField](ctx, c, "/resources/customFields",
		url.Values{"model": {"customObjects"}, "customObjectId": {objectID}})
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
