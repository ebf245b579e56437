package tickets

import (
	"regexp"
	"strings"
	"time"
)

// CustomerChannel is a Slack channel whose messages are requests (Settings.CustomerChannels):
// a channel shared with a customer's organisation (Slack Connect), where its people are
// the customers and ours the agents, or an internal channel where colleagues ask a team
// for help. Its requests go to the team whose ticketing channel is Team.
type CustomerChannel struct {
	// Channel is the Slack channel's id.
	Channel string `json:"channel"`
	// Team is the ticketing channel id of the team its requests go to.
	Team string `json:"team"`
	// Customer names the customer's organisation where tickets show it ("" : as Slack
	// names the requester's organisation).
	Customer string `json:"customer,omitempty"`
	// Domain is the customer's email domain ("acme.com"), which links its tickets in the
	// CRM when the requester's email cannot be seen; "" for none.
	Domain string `json:"domain,omitempty"`
	// Grouping is how long after a requester's message their next top-level message joins
	// the same request rather than opening another; 0 is DefaultGrouping.
	Grouping time.Duration `json:"grouping,omitempty"`
}

// The customer fields a customer channel's request carries (Customer.Fields): its
// organisation's name, and the email domain that links it in the CRM when the
// requester's email cannot be seen.
const (
	CustomerOrganisation = "organisation"
	CustomerDomain       = "domain"
)

// DefaultGrouping is CustomerChannel.Grouping when unset: quick follow-ups ("and also…")
// within five minutes are one request.
const DefaultGrouping = 5 * time.Minute

// MaxGrouping bounds CustomerChannel.Grouping.
const MaxGrouping = 24 * time.Hour

// GroupingWindow is c's grouping window.
func (c CustomerChannel) GroupingWindow() time.Duration {
	if c.Grouping <= 0 {
		return DefaultGrouping
	}
	return c.Grouping
}

// CustomerChannelOf is the customer channel whose id is channel, if it is one.
func (s *Settings) CustomerChannelOf(channel string) (CustomerChannel, bool) {
	for _, c := range s.CustomerChannels {
		if c.Channel == channel {
			return c, true
		}
	}
	return CustomerChannel{}, false
}

// StatusReactions are the reactions a customer channel's request shows its state by, on
// the requester's first message: the emoji names, without colons ("eyes"); each left
// empty is DefaultStatusReactions'.
type StatusReactions struct {
	// Picked: an agent took the request (or it was reopened).
	Picked string `json:"picked,omitempty"`
	// Closed: the request ended.
	Closed string `json:"closed,omitempty"`
}

// DefaultStatusReactions are StatusReactions left empty: 👀 picked, ✅ closed.
var DefaultStatusReactions = StatusReactions{Picked: "eyes", Closed: "white_check_mark"}

// orDefault is r with each name left empty set to the default's.
func (r StatusReactions) orDefault() StatusReactions {
	if r.Picked == "" {
		r.Picked = DefaultStatusReactions.Picked
	}
	if r.Closed == "" {
		r.Closed = DefaultStatusReactions.Closed
	}
	return r
}

// reactionName is an emoji's name as reactions.add takes it: Slack's names are lower case
// letters, digits, '_', '-', '+' and "'" (custom ones too), with a skin tone perhaps
// ("thumbsup::skin-tone-2").
var reactionName = regexp.MustCompile(`^[a-z0-9_+'-]{1,100}(::skin-tone-[2-6])?$`)

// ReactionName is the emoji name written, as a reaction takes it: the colons around it
// (":eyes:") and spaces taken off, lower-cased; ok is false when it is none.
func ReactionName(written string) (name string, ok bool) {
	name = strings.ToLower(strings.TrimSpace(written))
	if strings.HasPrefix(name, ":") && strings.HasSuffix(name, ":") && len(name) > 2 {
		name = name[1 : len(name)-1]
	}
	return name, reactionName.MatchString(name)
}

// validate reports what is wrong with r.
func (r StatusReactions) validate() error {
	for _, n := range []struct{ what, name string }{{"picked", r.Picked}, {"closed", r.Closed}} {
		if n.name == "" {
			continue
		}
		if got, ok := ReactionName(n.name); !ok || got != n.name {
			return invalidf("the %s reaction %q is no emoji name (like eyes, without colons)", n.what, Clip(n.name, 40))
		}
	}
	return nil
}

// slackChannelID is a Slack channel id: C… for channels (G… for private ones made before
// 2021, which Slack turns into C… when they are shared).
var slackChannelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)

// domainPattern is an email domain as people write it.
var domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// ValidateCustomerChannels reports what is wrong with customer channels channels of the
// teams teams, as Settings.Validate does (ErrInvalid), the teams taken as they are.
func ValidateCustomerChannels(channels []CustomerChannel, teams []Team) error {
	labels := make(map[string]string, len(teams))
	for _, t := range teams {
		labels[t.ChannelID] = t.Label
	}
	return validateCustomerChannels(channels, labels)
}

// validateCustomerChannels reports what is wrong with channels; teams maps each ticketing
// channel id to its label.
func validateCustomerChannels(channels []CustomerChannel, teams map[string]string) error {
	seen := map[string]bool{}
	for _, c := range channels {
		switch {
		case !slackChannelID.MatchString(c.Channel):
			return invalidf("customer channel %q is not a Slack channel id (like C024BE91L)", c.Channel)
		case teams[c.Channel] != "":
			return invalidf("customer channel %s is the ticketing channel of %s", c.Channel, teams[c.Channel])
		case seen[c.Channel]:
			return invalidf("customer channel %s is listed twice", c.Channel)
		case teams[c.Team] == "":
			return invalidf("customer channel %s goes to %q, which is no ticketing channel", c.Channel, c.Team)
		case len(c.Customer) > 80:
			return invalidf("customer channel %s: the customer's name is longer than 80 characters", c.Channel)
		case c.Domain != "" && !domainPattern.MatchString(strings.ToLower(c.Domain)):
			return invalidf("customer channel %s: %q is not an email domain (like acme.com)", c.Channel, c.Domain)
		case c.Grouping < 0 || c.Grouping > MaxGrouping:
			return invalidf("customer channel %s: the grouping window must be between 0 and %s", c.Channel, MaxGrouping)
		}
		seen[c.Channel] = true
	}
	return nil
}
