package tickets

// The tests are in package tickets_test: they use storetest.Memory, and storetest imports
// tickets. These give them the few unexported names they check.
var (
	Wrap      = wrap
	IsOutcome = isOutcome
)

// TemplatesOf is s's templates, the defaults filling those left empty.
func TemplatesOf(s *Settings) Templates { return s.templates() }
