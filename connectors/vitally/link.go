package vitally

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// link is what a ticket is attached to in Vitally: an Account (Vitally calls it the
// instance's customer), an Organization, or both. Names are for people.
type link struct {
	AccountID, AccountName           string
	OrganizationID, OrganizationName string
}

// where describes l for agents: "Organization Acme and Account Acme EU".
func (l link) where() string {
	var parts []string
	if l.OrganizationID != "" {
		parts = append(parts, "Organization "+nameOr(l.OrganizationName, l.OrganizationID))
	}
	if l.AccountID != "" {
		parts = append(parts, "Account "+nameOr(l.AccountName, l.AccountID))
	}
	return strings.Join(parts, " and ")
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// noSync is why a ticket is not synced: the table says so, or the requestor cannot be
// found. Recorded on the ticket for agents to see (reason); never retried by the outbox.
// kind is the reason's class (a Reason constant), for metrics.
type noSync struct{ kind, reason string }

func (n *noSync) Error() string { return "not synced: " + n.reason }

func refuse(kind, format string, args ...any) error {
	return &noSync{kind: kind, reason: fmt.Sprintf(format, args...)}
}

// decide applies the linking table to the Organizations and Accounts a requestor belongs
// to (distinct Vitally ids):
//
//	Organizations  Accounts   synced with
//	one            one        the Organization and the Account
//	one            none       the Organization only
//	one            several    the Organization only
//	none           one        the Account only
//	none           none       no sync
//	none           several    no sync
//	several        one        the Account and the Organization the Account belongs to
//	several        none       no sync
//	several        several    no sync
//
// It returns the ids to link (the Account's own Organization is found by the caller) or
// a noSync error naming the row.
func decide(orgs, accounts []string) (orgID, accountID string, accountsOrg bool, err error) {
	switch o, a := len(orgs), len(accounts); {
	case o == 1 && a == 1:
		return orgs[0], accounts[0], false, nil
	case o == 1:
		return orgs[0], "", false, nil
	case o == 0 && a == 1:
		return "", accounts[0], false, nil
	case o == 0 && a == 0:
		return "", "", false, refuse(ReasonNoOrgOrAccount, "the requestor is in no Vitally Organization or Account")
	case o == 0:
		return "", "", false, refuse(ReasonTableNoSync, "the requestor is in %d Vitally Accounts and no Organization", a)
	case a == 1:
		return "", accounts[0], true, nil
	case a == 0:
		return "", "", false, refuse(ReasonTableNoSync, "the requestor is in %d Vitally Organizations and no Account", o)
	default:
		return "", "", false, refuse(ReasonTableNoSync, "the requestor is in %d Vitally Organizations and %d Accounts", o, a)
	}
}

// memberships collects the distinct Organizations and Accounts of users, in order.
func memberships(users []user) (orgs, accounts []string) {
	for _, u := range users {
		for _, id := range u.OrganizationIDs {
			if id != "" && !slices.Contains(orgs, id) {
				orgs = append(orgs, id)
			}
		}
		for _, id := range u.AccountIDs {
			if id != "" && !slices.Contains(accounts, id) {
				accounts = append(accounts, id)
			}
		}
	}
	return orgs, accounts
}

// publicDomains are email domains anyone can have an address at: a user there says
// nothing about which company a requestor is with, so they never match by domain.
var publicDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "yahoo.com": true, "ymail.com": true,
	"outlook.com": true, "hotmail.com": true, "live.com": true, "msn.com": true,
	"icloud.com": true, "me.com": true, "mac.com": true, "aol.com": true,
	"proton.me": true, "protonmail.com": true, "gmx.com": true, "gmx.de": true,
	"web.de": true, "mail.com": true, "yandex.ru": true, "yandex.com": true,
	"mail.ru": true, "qq.com": true, "163.com": true, "126.com": true, "zoho.com": true,
	"fastmail.com": true, "hey.com": true, "tutanota.com": true, "pm.me": true,
}

// findLink finds what ticket t goes with in Vitally. The requestor is looked up by email,
// then by the source's customer id as the user's externalId. A requestor unknown to
// Vitally who gave an email is created as a user in the Organization or Account that has
// users at the same email domain, decided by the same table; one without an email whose
// source names their organisation's domain (a customer channel's,
// tickets.CustomerDomain) goes with that domain's, and is not created. Anything else is a
// noSync.
func (s *Sink) findLink(ctx context.Context, c *client, t *tickets.Ticket) (link, error) {
	email := strings.ToLower(strings.TrimSpace(t.Customer.Email))
	var users []user
	var err error
	if email != "" {
		if users, err = c.searchUsers(ctx, "email", email); err != nil {
			return link{}, err
		}
	}
	if len(users) == 0 && t.Customer.ID != "" {
		if users, err = c.searchUsers(ctx, "externalId", t.Customer.ID); err != nil {
			return link{}, err
		}
	}
	if len(users) > 0 {
		orgs, accounts := memberships(users)
		return s.resolve(ctx, c, orgs, accounts)
	}
	// Without an email, the domain the source gives for the requester's organisation (a
	// customer channel's) links them, as their email's would; no user is created.
	domain := strings.ToLower(strings.TrimSpace(t.Customer.Fields[tickets.CustomerDomain]))
	if email == "" && domain == "" {
		return link{}, refuse(ReasonNoEmail, "the requestor is not a Vitally user and gave no email")
	}
	if email != "" {
		var ok bool
		_, domain, ok = strings.Cut(email, "@")
		if !ok || domain == "" || strings.Contains(domain, "@") {
			return link{}, refuse(ReasonNoEmail, "the requestor's email %q has no domain", email)
		}
	}
	if publicDomains[domain] {
		return link{}, refuse(ReasonPublicDomain, "the requestor is not a Vitally user, and %s is a public email domain", domain)
	}
	peers, err := c.searchUsers(ctx, "emailSubdomain", domain)
	if err != nil {
		return link{}, err
	}
	orgs, accounts := memberships(peers)
	if len(orgs) == 0 && len(accounts) == 0 {
		return link{}, refuse(ReasonUnknownUser, "the requestor is not a Vitally user, and no Organization or Account has users at %s", domain)
	}
	l, err := s.resolve(ctx, c, orgs, accounts)
	if err != nil || email == "" {
		return l, err
	}
	if err := s.createRequestor(ctx, c, t, email, l); err != nil {
		return link{}, err
	}
	return l, nil
}

// resolve applies the table and names what it links to.
func (s *Sink) resolve(ctx context.Context, c *client, orgs, accounts []string) (link, error) {
	orgID, accountID, accountsOrg, err := decide(orgs, accounts)
	if err != nil {
		return link{}, err
	}
	var l link
	if accountID != "" {
		a, err := c.account(ctx, accountID)
		if err != nil {
			return link{}, err
		}
		l.AccountID, l.AccountName = a.ID, a.Name
		// The Account's own Organization when the table asks for it, and also when the
		// user's one Organization is not the Account's: an instance is linked to an
		// Account and the Organization that Account is in.
		if accountsOrg || orgID != "" && a.OrganizationID != "" && a.OrganizationID != orgID {
			orgID = a.OrganizationID
		}
	}
	if orgID != "" {
		o, err := c.organization(ctx, orgID)
		if err != nil {
			return link{}, err
		}
		l.OrganizationID, l.OrganizationName = o.ID, o.Name
	}
	return l, nil
}

// createRequestor creates the requestor as a Vitally user in l's Account (else its
// Organization), with their name and email. A user created by an earlier attempt that
// did not finish (409, the same externalId) is fine.
func (s *Sink) createRequestor(ctx context.Context, c *client, t *tickets.Ticket, email string, l link) error {
	nu := newUser{ExternalID: "frontdesk:" + email, Name: t.Customer.Name, Email: email}
	if nu.Name == "" {
		nu.Name, _, _ = strings.Cut(email, "@")
	}
	if l.AccountID != "" {
		nu.AccountIDs = []string{l.AccountID}
	}
	if l.OrganizationID != "" {
		nu.OrganizationIDs = []string{l.OrganizationID}
	}
	_, err := c.createUser(ctx, nu)
	if statusOf(err) == http.StatusConflict {
		return nil
	}
	if err == nil {
		s.log.Info("created the requestor as a Vitally user", ticketField(t), domainField(email))
	}
	return err
}
