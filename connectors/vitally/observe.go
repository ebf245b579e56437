package vitally

// Outcomes of a sync, as Deps.Observe is told them.
const (
	// Synced: the ticket was written to Vitally.
	Synced = "synced"
	// NotSynced: the ticket is not synced, and the ticket says why (a no-sync).
	NotSynced = "not_synced"
	// Skipped: there was nothing to do.
	Skipped = "skipped"
)

// Reasons that go with an outcome, as Deps.Observe is told them: a small fixed set, so
// that they can label metrics.
const (
	// NotSynced: the requestor is not a Vitally user and gave no usable email.
	ReasonNoEmail = "no_email"
	// NotSynced: the requestor is not a Vitally user, and their email is at a public
	// domain (gmail.com, ...).
	ReasonPublicDomain = "public_domain"
	// NotSynced: the requestor is not a Vitally user, and no Organization or Account has
	// users at their email's domain.
	ReasonUnknownUser = "unknown_user"
	// NotSynced: the requestor is in no Vitally Organization or Account.
	ReasonNoOrgOrAccount = "no_org_or_account"
	// NotSynced: the linking table says no sync (several Organizations or Accounts).
	ReasonTableNoSync = "table_no_sync"
	// NotSynced: Vitally has no custom object of the configured name.
	ReasonNoObject = "no_object"
	// Synced: without the traits Vitally does not have.
	ReasonMissingTraits = "missing_traits"

	// Skipped: Vitally is not set up.
	ReasonNotConfigured = "not_configured"
	// Skipped: the ticket was opened before the integration was switched on.
	ReasonBeforeSince = "before_since"
	// Skipped: the event was written already (delivered again).
	ReasonRepeat = "repeat"
	// Skipped: the ticket is in Vitally and updating is off.
	ReasonUpdatesOff = "updates_off"
	// Skipped: the ticket is not in Vitally and pushing new tickets is off.
	ReasonPushOff = "push_off"
)
