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

// CheckSetup sets up and checks the Vitally that st configures (with the environment's
// URL and secret): the credentials, then the custom object and each trait Frontdesk
// fills, creating what is missing (ensure). The report says what was found and made, and,
// only when Vitally refused, exactly what to create by hand. See tickets.SetupChecker.
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
	want := wanted(st)
	s.schemas.make.Lock()
	s.schemas.forget(u)
	e, err := ensure(ctx, s.client(u), u.object, want, s.opt.now())
	if err == nil {
		s.logEnsured(u, e)
		s.schemas.put(u, &e.schema)
	}
	s.schemas.make.Unlock()
	if err != nil {
		r.Problems = append(r.Problems, reachProblem(err))
		return r
	}
	r.Found = append(r.Found, "Vitally accepted the API URL and secret.")
	switch {
	case e.objectID == "":
		r.Problems = append(r.Problems, fmt.Sprintf(
			"Vitally has no custom object named %q and would not let Frontdesk create it (%s). Create it in Vitally (Settings → Custom Objects), for Accounts and Organizations, with these traits: %s.",
			u.object, refusedWhy(e.refused), traitList(want)))
		return r
	case e.createdObject:
		r.Found = append(r.Found, fmt.Sprintf("Created the custom object %q in Vitally.", u.object))
	default:
		r.Found = append(r.Found, fmt.Sprintf("Found the custom object %q.", u.object))
	}
	if e.twins > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf(
			"Vitally has %d more custom objects named %q; Frontdesk uses the one created first (id %s). Delete the others in Vitally (Settings → Custom Objects).",
			e.twins, u.object, e.objectID))
	}
	if len(e.added) > 0 && !e.createdObject {
		r.Found = append(r.Found, fmt.Sprintf("Added %d traits to it: %s.", len(e.added), traitList(e.added)))
	}
	if len(e.missing) > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf(
			"The custom object %q lacks %d traits, and Vitally would not let Frontdesk add them (%s). Create them in Vitally (Settings → Traits → Custom object traits), named exactly: %s.",
			u.object, len(e.missing), refusedWhy(e.refused), traitList(e.missing)))
	} else {
		r.Found = append(r.Found, fmt.Sprintf("All %d traits are there.", len(want)))
	}
	if len(e.mistyped) > 0 {
		r.Problems = append(r.Problems, "Some traits have another type than Frontdesk sends: "+strings.Join(e.mistyped, "; ")+".")
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
