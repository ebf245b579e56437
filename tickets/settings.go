package tickets

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Templates are the messages the customer gets from Frontdesk itself. Each may use the
// placeholders {agent} (the agent's name, or "an agent" when agent names are hidden),
// {team} (the label of the ticket's team) and {ticket} (the ticket number).
type Templates struct {
	Picked           string `json:"picked"`
	TransferAccepted string `json:"transfer_accepted"`
	Ended            string `json:"ended"`
	// Rating asks the customer to rate the chat; it follows the ended message.
	Rating string `json:"rating,omitempty"`
}

// DefaultTemplates are used for every template left empty.
var DefaultTemplates = Templates{
	Picked:           "You are now chatting with {agent}.",
	TransferAccepted: "Your chat was transferred to {team}. You are now chatting with {agent}.",
	Ended:            "This chat has ended. Thank you for reaching out!",
	Rating:           "How did we do? Reply with a number from 1 (poor) to 5 (great).",
}

// MaxTeams bounds the ticketing channels (the admin panel shows every one of them).
const MaxTeams = 20

// MaxTemplateBytes bounds a customer-facing template.
const MaxTemplateBytes = 2000

// Settings is the workspace's configuration that admins edit in the admin panel.
type Settings struct {
	// TicketingChannels are the teams, each a ticketing channel with its label.
	TicketingChannels []Team `json:"ticketing_channels"`
	// DefaultTeam is the channel id of the team that gets tickets whose label is unknown
	// or empty; when empty, the first ticketing channel is the default.
	DefaultTeam string `json:"default_team,omitempty"`
	// PriorityGroup are told first about every new ticket and join every inbox channel.
	PriorityGroup []AgentID `json:"priority_group,omitempty"`
	// ShowAgentName lets customers see the name of the agent they chat with.
	ShowAgentName bool      `json:"show_agent_name"`
	Templates     Templates `json:"templates"`
	// Sinks are the sinks' own settings, by sink name, as each sink's SettingsKeeper
	// kept them (how tickets are synced to a CRM, with its credentials). tickets stores
	// them and does not read them.
	Sinks SinkSettings `json:"sinks,omitempty"`
	// Categories are the workspace's custom categories: agents pick one value of each
	// for a ticket (e.g. Product: Request Management).
	Categories []Category `json:"categories,omitempty"`
	// SavedReplies are the replies agents can pick in an inbox channel (SavedReply).
	SavedReplies []SavedReply `json:"saved_replies,omitempty"`
	// SLAs are the teams' SLA policies, at most one per team; a team without one has no
	// SLA clocks.
	SLAs []SLAPolicy `json:"slas,omitempty"`
	// CustomerChannels are the Slack channels whose messages are requests, each going to
	// a team.
	CustomerChannels []CustomerChannel `json:"customer_channels,omitempty"`
	// Greetings are what, written alone in a customer channel, opens no ticket ("hi",
	// "thanks"); nil for DefaultGreetings.
	Greetings []string `json:"greetings,omitempty"`
	// StatusReactions show a customer channel's request's state on its first message.
	StatusReactions StatusReactions `json:"status_reactions"`
}

// Category is a custom category and the values it allows.
type Category struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// categoryNamed finds the category called name (case ignored).
func categoryNamed(cats []Category, name string) (Category, bool) {
	for _, c := range cats {
		if strings.EqualFold(c.Name, strings.TrimSpace(name)) {
			return c, true
		}
	}
	return Category{}, false
}

// validateCategories reports the first problem with cats.
func validateCategories(cats []Category) error {
	if len(cats) > MaxCategories {
		return invalidf("%d categories are more than %d", len(cats), MaxCategories)
	}
	names := map[string]bool{}
	for _, c := range cats {
		name := strings.TrimSpace(c.Name)
		switch {
		case name == "" || name != c.Name:
			return invalidf("a category has an empty name, or spaces around it")
		case len(name) > MaxCategoryBytes || strings.ContainsAny(name, ":,\n\r"):
			return invalidf("category name %q is longer than %d characters or has ':', ',' or a line break in it", Clip(name, 60), MaxCategoryBytes)
		case names[strings.ToLower(name)]:
			return invalidf("category %q is listed twice", name)
		case len(c.Values) == 0 || len(c.Values) > MaxCategoryValue:
			return invalidf("category %q needs 1 to %d values", name, MaxCategoryValue)
		}
		names[strings.ToLower(name)] = true
		seen := map[string]bool{}
		for _, v := range c.Values {
			switch {
			case v == "" || strings.TrimSpace(v) != v || len(v) > MaxCategoryBytes || strings.ContainsAny(v, ",\n\r"):
				return invalidf("category %q has an empty value, or one longer than %d characters or with ',' or a line break in it", name, MaxCategoryBytes)
			case seen[strings.ToLower(v)]:
				return invalidf("category %q lists %q twice", name, v)
			}
			seen[strings.ToLower(v)] = true
		}
	}
	return nil
}

// Validate reports the first problem with s, wrapping ErrInvalid.
func (s *Settings) Validate() error {
	if len(s.TicketingChannels) == 0 {
		return invalidf("at least one ticketing channel is needed")
	}
	if len(s.TicketingChannels) > MaxTeams {
		return invalidf("%d ticketing channels are more than the %d allowed", len(s.TicketingChannels), MaxTeams)
	}
	channels := map[string]bool{}
	labels := map[string]bool{}
	labelOf := map[string]string{}
	for i, t := range s.TicketingChannels {
		if strings.TrimSpace(t.ChannelID) == "" {
			return invalidf("ticketing channel %d has no channel id", i+1)
		}
		label := strings.TrimSpace(t.Label)
		if label == "" {
			return invalidf("ticketing channel %s has no label", t.ChannelID)
		}
		if len(label) > 80 {
			return invalidf("label %q is longer than 80 characters", label)
		}
		if channels[t.ChannelID] {
			return invalidf("channel %s is listed twice", t.ChannelID)
		}
		key := strings.ToLower(label)
		if labels[key] {
			return invalidf("label %q is used twice", label)
		}
		channels[t.ChannelID], labels[key] = true, true
		labelOf[t.ChannelID] = label
	}
	if s.DefaultTeam != "" && !channels[s.DefaultTeam] {
		return invalidf("default team %s is not a ticketing channel", s.DefaultTeam)
	}
	seen := map[AgentID]bool{}
	for _, id := range s.PriorityGroup {
		if id == "" {
			return invalidf("priority group has an empty user id")
		}
		if seen[id] {
			return invalidf("user %s is in the priority group twice", id)
		}
		seen[id] = true
	}
	for name, tpl := range map[string]string{
		"picked": s.Templates.Picked, "transfer accepted": s.Templates.TransferAccepted, "ended": s.Templates.Ended, "rating": s.Templates.Rating,
	} {
		if len(tpl) > MaxTemplateBytes {
			return invalidf("the %s message is longer than %d bytes", name, MaxTemplateBytes)
		}
	}
	if err := validateCategories(s.Categories); err != nil {
		return err
	}
	if err := validateSavedReplies(s.SavedReplies); err != nil {
		return err
	}
	if err := validateSLAs(s.SLAs, labelOf); err != nil {
		return err
	}
	if err := validateCustomerChannels(s.CustomerChannels, labelOf); err != nil {
		return err
	}
	if err := validateGreetings(s.Greetings); err != nil {
		return err
	}
	if err := s.StatusReactions.validate(); err != nil {
		return err
	}
	for name, raw := range s.Sinks {
		switch {
		case strings.TrimSpace(name) == "":
			return invalidf("settings for a sink without a name")
		case len(raw) > MaxSinkSettingsBytes:
			return invalidf("the settings of sink %q are longer than %d bytes", name, MaxSinkSettingsBytes)
		case !json.Valid(raw):
			return invalidf("the settings of sink %q are not JSON", name)
		}
	}
	return nil
}

// SinkSettings are the sinks' own settings by sink name. They may hold secrets: printed
// (%v, %+v, %#v), they show only each sink's name and size.
type SinkSettings map[string]json.RawMessage

// String describes s without its content.
func (s SinkSettings) String() string {
	parts := make([]string, 0, len(s))
	for _, name := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, name+":("+strconv.Itoa(len(s[name]))+" bytes)")
	}
	return "map[" + strings.Join(parts, " ") + "]"
}

// GoString is String, for %#v.
func (s SinkSettings) GoString() string { return s.String() }

// MaxSinkSettingsBytes bounds one sink's settings.
const MaxSinkSettingsBytes = 16 << 10

// TeamByLabel finds the team with this label (case and surrounding space ignored).
func (s *Settings) TeamByLabel(label string) (Team, bool) {
	label = strings.TrimSpace(label)
	for _, t := range s.TicketingChannels {
		if strings.EqualFold(strings.TrimSpace(t.Label), label) {
			return t, true
		}
	}
	return Team{}, false
}

// TeamByChannel finds the team whose ticketing channel is channelID.
func (s *Settings) TeamByChannel(channelID string) (Team, bool) {
	for _, t := range s.TicketingChannels {
		if t.ChannelID == channelID {
			return t, true
		}
	}
	return Team{}, false
}

// Default is the team that takes tickets with an unknown or empty label.
func (s *Settings) Default() (Team, bool) {
	if t, ok := s.TeamByChannel(s.DefaultTeam); ok {
		return t, true
	}
	if len(s.TicketingChannels) > 0 {
		return s.TicketingChannels[0], true
	}
	return Team{}, false
}

// route picks the team for a new ticket: the one labelled so, else the default.
func (s *Settings) route(label string) (Team, bool) {
	if label != "" {
		if t, ok := s.TeamByLabel(label); ok {
			return t, true
		}
	}
	return s.Default()
}

// templates returns s's templates with every empty one replaced by its default.
func (s *Settings) templates() Templates {
	t := s.Templates
	if strings.TrimSpace(t.Picked) == "" {
		t.Picked = DefaultTemplates.Picked
	}
	if strings.TrimSpace(t.TransferAccepted) == "" {
		t.TransferAccepted = DefaultTemplates.TransferAccepted
	}
	if strings.TrimSpace(t.Ended) == "" {
		t.Ended = DefaultTemplates.Ended
	}
	if strings.TrimSpace(t.Rating) == "" {
		t.Rating = DefaultTemplates.Rating
	}
	return t
}

// Render fills a template's placeholders for ticket t answered by agent.
func (s *Settings) Render(tpl string, t *Ticket, agent Agent) string {
	name := "an agent"
	if s.ShowAgentName && agent.Name != "" {
		name = agent.Name
	}
	return strings.NewReplacer(
		"{agent}", name,
		"{team}", t.Team.Label,
		"{ticket}", "#"+strconv.FormatInt(t.Number, 10),
	).Replace(tpl)
}
