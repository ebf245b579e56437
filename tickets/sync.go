package tickets

import (
	"context"
	"time"
)

// SyncStatus is where a ticket stands with one sink (e.g. Vitally), as the sink last
// recorded it (Store.SetSync). Agents see it with the ticket's details.
type SyncStatus struct {
	// Synced: the sink holds the ticket. False with Reason: the sink will not take it
	// ("no sync"), and Reason says why.
	Synced bool `json:"synced"`
	// Reason says why the ticket is not synced or, when it is, what the sink could not
	// take (e.g. fields with no counterpart there). Shown to agents.
	Reason string `json:"reason,omitempty"`
	// Where says, for people, what the ticket is linked to at the sink.
	Where string `json:"where,omitempty"`
	// RemoteID is the sink's id for the ticket, once it has one.
	RemoteID string `json:"remote_id,omitempty"`
	// Links are the sink's ids the ticket is linked to, by kind ("account", ...).
	Links map[string]string `json:"links,omitempty"`
	// LastEvent is the id of the latest event whose change the sink holds: the same
	// event delivered again is not sent again.
	LastEvent string    `json:"last_event,omitempty"`
	At        time.Time `json:"at"`
}

// Outcome is what agents hear about, as a string to compare: it starts with '!' when
// the status is Failing.
func (s SyncStatus) Outcome() string {
	switch {
	case !s.Synced:
		return "!not synced: " + s.Reason
	case s.Reason != "":
		return "!synced: " + s.Reason
	}
	return "synced"
}

// Failing reports whether the sink does not hold the ticket, or holds it incompletely.
func (s SyncStatus) Failing() bool { return !s.Synced || s.Reason != "" }

// SyncNews reports whether agents should hear of a change from prev (nil: none recorded)
// to next: the outcome changed, and either is failing. A first clean sync is not news.
func SyncNews(prev *SyncStatus, next SyncStatus) bool {
	if prev == nil {
		return next.Failing()
	}
	return prev.Outcome() != next.Outcome() && (prev.Failing() || next.Failing())
}

// MaxSyncReasonBytes bounds SyncStatus.Reason and Where.
const MaxSyncReasonBytes = 1000

// SetupChecker is a Sink that can check its set-up at the third party (credentials, the
// objects and fields it writes to) once an admin has saved the settings.
type SetupChecker interface {
	Sink
	// CheckSetup checks the set-up that st configures. It reports what it found, never
	// fails: a problem reaching the third party is one of the report's Problems.
	CheckSetup(ctx context.Context, st *Settings) SetupReport
}

// SetupReport is what a sink found when it checked its set-up.
type SetupReport struct {
	Sink string
	// Configured: the settings set this sink up at all; when false there is nothing else.
	Configured bool
	// Found lists what was checked and is in order, one sentence each.
	Found []string
	// Problems lists what is wrong or missing, each a sentence saying what to do.
	Problems []string
}

// OK reports whether the set-up has no problems.
func (r SetupReport) OK() bool { return len(r.Problems) == 0 }

// CheckSetup asks every sink that can check its set-up (SetupChecker) to do so against
// the current settings, in the order the sinks were configured.
func (s *Service) CheckSetup(ctx context.Context) ([]SetupReport, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var out []SetupReport
	for _, sk := range s.sinks {
		if c, ok := sk.(SetupChecker); ok {
			r := c.CheckSetup(ctx, st)
			r.Sink = sk.Name()
			out = append(out, r)
		}
	}
	return out, nil
}
