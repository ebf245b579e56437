package vitally

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// CheckSetup checks the Vitally that st sets up (with the environment's URL and secret):
// the credentials, the custom object and each trait Frontdesk fills. Vitally's API cannot
// create objects or traits, so the report says what to create, with the exact names and
// types. See tickets.SetupChecker.
func (s *Sink) CheckSetup(ctx context.Context, st *tickets.Settings) tickets.SetupReport {
	since, err := s.sinceOfEnv(ctx)
	u := s.effective(st, since)
	var r tickets.SetupReport
	if err != nil {
		r.Configured = u.configured()
		r.Problems = append(r.Problems, "Frontdesk could not read its own state just now; save again to check.")
		return r
	}
	if !u.configured() {
		return r
	}
	r.Configured = true
	if !u.push && !u.update {
		r.Problems = append(r.Problems, "Both pushing new tickets and updating existing ones are off: nothing is synced.")
	}
	c := s.client(u)
	s.forget(u)
	objs, err := c.customObjects(ctx)
	if err != nil {
		r.Problems = append(r.Problems, reachProblem(err))
		return r
	}
	r.Found = append(r.Found, "Vitally accepted the API URL and secret.")
	obj, ok := findObject(objs, u.object)
	if !ok {
		r.Problems = append(r.Problems, fmt.Sprintf(
			"Vitally has no custom object named %q. Create it in Vitally (Settings → Custom Objects), for Accounts and Organizations, then give it these traits: %s.",
			u.object, traitList(wanted(st))))
		return r
	}
	r.Found = append(r.Found, fmt.Sprintf("Found the custom object %q.", u.object))
	fields, err := c.customFields(ctx, obj.ID)
	if err != nil {
		r.Problems = append(r.Problems, reachProblem(err))
		return r
	}
	have := map[string]customField{}
	for _, f := range fields {
		have[strings.ToLower(strings.TrimSpace(f.Label))] = f
	}
	var missing, mistyped []string
	for _, tr := range wanted(st) {
		f, ok := have[strings.ToLower(tr.Label)]
		switch {
		case !ok:
			missing = append(missing, tr.Label)
		case !typeFits(f.Type, tr.Type):
			mistyped = append(mistyped, fmt.Sprintf("%s is %s, should be %s", tr.Label, f.Type, tr.Type))
		}
	}
	if len(missing) > 0 {
		var need []Trait
		for _, tr := range wanted(st) {
			for _, m := range missing {
				if m == tr.Label {
					need = append(need, tr)
				}
			}
		}
		r.Problems = append(r.Problems, fmt.Sprintf(
			"The custom object %q lacks %d traits. Create them in Vitally (Settings → Traits → Custom object traits), named exactly: %s.",
			u.object, len(need), traitList(need)))
	} else {
		r.Found = append(r.Found, fmt.Sprintf("All %d traits are there.", len(wanted(st))))
	}
	if len(mistyped) > 0 {
		r.Problems = append(r.Problems, "Some traits have another type than Frontdesk sends: "+strings.Join(mistyped, "; ")+".")
	}
	return r
}

// wanted are the traits Frontdesk fills, the admin's custom categories included.
func wanted(st *tickets.Settings) []Trait {
	out := slices.Clone(traits)
	if st != nil {
		for _, c := range st.Categories {
			out = append(out, Trait{c.Name, typeString})
		}
	}
	return out
}

// typeFits reports whether a Vitally field of type have takes values of type want (text
// goes into string and textarea fields alike).
func typeFits(have, want string) bool {
	text := func(t string) bool { return t == typeString || t == typeTextarea }
	return have == want || text(have) && text(want)
}

func traitList(ts []Trait) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s (%s)", t.Label, t.Type)
	}
	return strings.Join(parts, ", ")
}

// reachProblem says what went wrong talking to Vitally, in words for an admin.
func reachProblem(err error) string {
	switch statusOf(err) {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "Vitally refused the secret. Copy the secret (or the Basic authorization header) from Vitally → Settings → Integrations → Vitally REST API again."
	case http.StatusNotFound:
		return "Vitally answered 404: check the API URL (https://<subdomain>.rest.vitally.io, or https://rest.vitally-eu.io in the EU)."
	case http.StatusTooManyRequests:
		return "Vitally's rate limit is reached just now; the check could not finish. Save again in a minute."
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return fmt.Sprintf("Vitally answered %d to %s %s; check the API URL.", ae.Status, ae.Method, ae.Path)
	}
	return "Vitally could not be reached (" + err.Error() + "); check the API URL."
}
