// Package vitallytest is an in-memory fake of Vitally's REST API (the /resources/...
// routes Frontdesk uses), served by net/http/httptest, for the vitally connector's tests
// and for end-to-end tests.
//
// New starts a Server; point a client at its URL. Tests seed it with AddOrganization,
// AddAccount, AddUser, AddCustomObject, AddCustomField and AddInstance, and inspect what
// the client did with Requests, Count, Writes, Instances, Users, CustomObjects,
// CustomFields, TooMany and MaxInWindow. SetRateLimit, ForceTooMany, SetDown, FailNext
// and RefuseSchemaChanges provoke the failures a client must survive.
//
// The fake follows Vitally's documented behaviour, in the shapes of Vitally's own
// examples (each route's comment names its source; the tests hold the fake to them):
//
//   - Authentication is HTTP Basic with the API secret as the username and an empty
//     password; anything else is answered 401.
//   - Every response carries the RateLimit-Limit, RateLimit-Remaining and
//     RateLimit-Reset headers of a sliding window (1000 requests a minute by default);
//     a request over the limit is answered 429 and does not count in the window.
//   - List routes page with a cursor: a limit query parameter (at most 100) and a from
//     cursor; the answer is {"results": [...], "next": cursor or null}. The custom
//     fields (custom traits) of a model are the exception: a bare JSON array sorted by
//     label, not paged ("REST API: Custom Traits").
//   - Custom objects are created with POST /resources/customObjects (name, label,
//     writeMode and customFields [{label, type}]) and updated with PUT
//     /resources/customObjects/{id}; both answer the object with its fields, each field
//     with the path its value has in traits.
//   - Updating a custom object instance merges the traits sent into the ones it has: a
//     trait left out stays, and a trait set to null is deleted.
//   - Errors are JSON bodies {"statusCode": N, "message": "..."}.
//
// Some behaviour is the fake's own choice, made strict so that a client's mistakes show
// up in tests, because Vitally's real behaviour is not confirmed:
//
//   - Creating a user, or a custom object instance within one custom object, with an
//     externalId already taken is answered 409 Conflict.
//   - A trait key that is not the path of one of the custom object's custom fields is
//     answered 400 ("unknown trait <key>"), and so is a value of the wrong type for the
//     field.
//   - Creating an instance with both customerId and organizationId requires the account
//     to belong to that organization.
//   - Ids in request bodies (accountIds, organizationIds, customerId, organizationId)
//     must be Vitally ids, not externalIds; only the GET routes for one account or
//     organization also accept an externalId.
//   - The users of an organization are the users linked to it directly, not the users of
//     its accounts.
//   - An update's customFields is the object's whole list of fields: a field given with
//     its id is kept, one without an id is added (its label must be new), and a field
//     left out is deleted. A client that sends only the fields to add loses the others.
//   - Two custom objects may have the same name.
package vitallytest
