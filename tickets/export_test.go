package tickets

import "context"

// The tests are in package tickets_test: they use storetest.Memory, and storetest imports
// tickets. These give them the few unexported names they check.
var (
	Wrap      = wrap
	IsOutcome = isOutcome
)

// TemplatesOf is s's templates, the defaults filling those left empty.
func TemplatesOf(s *Settings) Templates { return s.templates() }

// DeliverVia is s.deliver: src delivers out for t once a slot of t's source is free.
func (s *Service) DeliverVia(ctx context.Context, src Source, t *Ticket, out Outbound, key string) error {
	return s.deliver(ctx, src, t, out, key)
}

// LimitDeliveries gives source n delivery slots instead of deliveriesInFlight.
func (s *Service) LimitDeliveries(source string, n int) {
	s.delivering[source] = make(chan struct{}, n)
}
