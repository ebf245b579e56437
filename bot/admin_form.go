package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// adminForm is what the admin panel shows and returns.
type adminForm struct {
	teams []tickets.Team // rows; a row may be blank
	// rowIDs name the rows' blocks. Slack keeps what a user typed in an input across
	// views.update by block id, so a row keeps its id for as long as the panel is open:
	// removing a row must not shift another row's values into its place.
	rowIDs    []int
	priority  []string
	showName  bool
	templates tickets.Templates
	// categories is the custom categories as the admin writes them, one a line:
	// "Product: Request Management, Marketing Automation".
	categories string
	// replies is the saved replies as the admin writes them (savedRepliesText).
	replies string
	// customers is the customer channels as the admin writes them (customerChannelsText);
	// customersShown says the panel showed them (one opened by an earlier version did not:
	// the saved ones then stay).
	customers      string
	customersShown bool
	// greetings is the greetings as the admin writes them (greetingsText); greetingsShown
	// says the panel showed them (not when they are too long for its field, nor in one
	// opened by an earlier version: the saved ones then stay).
	greetings      string
	greetingsShown bool
	// reactions is the status reactions as the admin writes them; reactionsShown as
	// greetingsShown.
	reactions      tickets.StatusReactions
	reactionsShown bool
	// sections are the sinks' sections (Config.Sections), one form each, in order.
	sections []panel.SectionForm
	// slas are the buttons to the saved teams' SLA modals (slaButtons).
	slas []slack.Block
}

// addRow appends team as a new row with an id no row of this panel had before.
func (f *adminForm) addRow(team tickets.Team) {
	id := 0
	if n := len(f.rowIDs); n > 0 {
		id = slices.Max(f.rowIDs) + 1
	}
	f.teams, f.rowIDs = append(f.teams, team), append(f.rowIDs, id)
}

// formFromSettings is the admin panel showing the saved settings st, with sections
// showing their sinks' saved settings.
func formFromSettings(st *tickets.Settings, sections []panel.Section) adminForm {
	f := adminForm{priority: agentStrings(st.PriorityGroup), showName: st.ShowAgentName, templates: st.Templates,
		categories: categoriesText(st.Categories), replies: savedRepliesText(st.SavedReplies), slas: slaButtons(st),
		customers: customerChannelsText(st.CustomerChannels, st.TicketingChannels), customersShown: true,
		greetings: greetingsText(st.Greetings), reactions: st.StatusReactions, reactionsShown: true}
	f.greetingsShown = len(f.greetings) <= maxListInput
	for _, sec := range sections {
		f.sections = append(f.sections, sec.Form(st.Sinks[sec.Sink()]))
	}
	def, ok := st.Default()
	if ok {
		f.addRow(def) // the default team comes first: the first row is the default
	}
	for _, t := range st.TicketingChannels {
		if t != def {
			f.addRow(t)
		}
	}
	if len(f.teams) == 0 {
		f.addRow(tickets.Team{})
	}
	return f
}

func agentStrings(ids []tickets.AgentID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// panelMetadata and parseMetadata keep the row ids and each section's Metadata, in the
// order of the sections, in the modal's private_metadata: "0,1,3|meta1|meta2".
func panelMetadata(f adminForm) string {
	parts := make([]string, len(f.rowIDs))
	for i, id := range f.rowIDs {
		parts[i] = strconv.Itoa(id)
	}
	out := strings.Join(parts, ",")
	for _, sf := range f.sections {
		if sf == nil {
			out += "|"
			continue
		}
		// A "|" would shift every later section's metadata onto the wrong section, so
		// one that breaks panel.SectionForm's contract loses it rather than the others.
		out += "|" + strings.ReplaceAll(sf.Metadata(), "|", "")
	}
	return out
}

// parseMetadata returns the row ids and the metadata of n sections. A panel may carry
// fewer (one opened before a restart that added a section): the missing ones are "".
// Any beyond n are ignored.
func parseMetadata(s string, n int) (rows []int, metas []string) {
	parts := strings.Split(s, "|")
	metas = make([]string, n)
	copy(metas, parts[1:])
	return parseRows(parts[0]), metas
}

func parseRows(s string) []int {
	var ids []int
	for _, part := range strings.Split(s, ",") {
		if id, err := strconv.Atoi(part); err == nil && id >= 0 && len(ids) < maxTeamRows {
			ids = append(ids, id)
		}
	}
	return ids
}

// formFromState reads the form back from a submitted or updated admin panel, whose
// sinks' sections are sections.
func formFromState(v *slack.View, sections []panel.Section) adminForm {
	f := adminForm{
		priority: stateOf(v, blockPriority).SelectedUsers,
		showName: stateOf(v, blockShowName).SelectedOption.Value == "yes",
		templates: tickets.Templates{
			Picked:           strings.TrimSpace(stateOf(v, blockPicked).Value),
			TransferAccepted: strings.TrimSpace(stateOf(v, blockTransfer).Value),
			Ended:            strings.TrimSpace(stateOf(v, blockEnded).Value),
			Rating:           strings.TrimSpace(stateOf(v, blockRating).Value),
		},
		categories: stateOf(v, blockCategories).Value,
		replies:    stateOf(v, blockReplies).Value,
		customers:  stateOf(v, blockCustomers).Value,
		greetings:  stateOf(v, blockGreetings).Value,
		reactions: tickets.StatusReactions{
			Picked: strings.TrimSpace(stateOf(v, blockReactPick).Value),
			Closed: strings.TrimSpace(stateOf(v, blockReactClose).Value),
		},
	}
	for _, b := range v.Blocks.BlockSet {
		switch b.ID() {
		case blockCustomers:
			f.customersShown = true
		case blockGreetings:
			f.greetingsShown = true
		case blockReactPick:
			f.reactionsShown = true
		}
	}
	rows, metas := parseMetadata(v.PrivateMetadata, len(sections))
	for i, sec := range sections {
		form := sec.FormFromView(v, metas[i])
		if !shows(v, form) {
			// The panel never showed this section (it was opened before this process
			// knew the section, or with other block ids): reading it would make empty
			// fields of the saved settings. It stays out of the panel, and its settings
			// stay as they are saved.
			form = nil
		}
		f.sections = append(f.sections, form)
	}
	for _, id := range rows {
		n := strconv.Itoa(id)
		f.teams = append(f.teams, tickets.Team{
			ChannelID: stateOf(v, teamChannel+n).SelectedConversation,
			Label:     strings.TrimSpace(stateOf(v, teamLabel+n).Value),
		})
		f.rowIDs = append(f.rowIDs, id)
	}
	return f
}

// viewValues is what a submitted view's inputs hold (none when the payload has no state).
func viewValues(v *slack.View) map[string]map[string]slack.BlockAction {
	if v.State == nil {
		return nil
	}
	return v.State.Values
}

// stateOf is the value of the panel's input block in view v (panel.StateOf: what the
// user entered, or the value the view was opened with).
func stateOf(v *slack.View, block string) slack.BlockAction {
	return panel.StateOf(v, block, inputAction)
}

// maxTeamRows keeps the panel inside Slack's 100 blocks per modal.
const maxTeamRows = tickets.MaxTeams

// adminView renders the admin panel for f.
func adminView(f adminForm) slack.ModalViewRequest {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plainText("Ticketing channels")),
		slack.NewContextBlock("", md("Each team has a ticketing channel where its tickets appear, and a label customers' chatbots can route to. The first is the default team. Add the Frontdesk app to each channel.")),
	}
	for i, t := range f.teams {
		n := strconv.Itoa(f.rowIDs[i])
		ch := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plainText("Choose a channel"), inputAction)
		ch.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true}
		if t.ChannelID != "" {
			ch.InitialConversation = t.ChannelID
		}
		label := slack.NewPlainTextInputBlockElement(plainText("e.g. Technical Team"), inputAction)
		label.InitialValue = t.Label
		label.MaxLength = 80
		blocks = append(blocks,
			slack.NewInputBlock(teamChannel+n, plainText(fmt.Sprintf("Channel %d", i+1)), nil, ch).WithOptional(true),
			slack.NewInputBlock(teamLabel+n, plainText(fmt.Sprintf("Label %d", i+1)), nil, label).WithOptional(true))
		if len(f.teams) > 1 {
			blocks = append(blocks, slack.NewActionBlock("admin_row_"+n,
				slack.NewButtonBlockElement(ActionRemoveTeam, n, plainText(fmt.Sprintf("Remove channel %d", i+1)))))
		}
	}
	if len(f.teams) < maxTeamRows {
		blocks = append(blocks, slack.NewActionBlock("admin_rows",
			slack.NewButtonBlockElement(ActionAddTeam, "", plainText("Add a ticketing channel"))))
	}
	blocks = append(blocks, f.slas...)
	prio := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plainText("Choose people"), inputAction)
	prio.InitialUsers = f.priority
	yes := slack.NewOptionBlockObject("yes", plainText("Yes: customers see the agent's name"), nil)
	no := slack.NewOptionBlockObject("no", plainText("No: customers see \"an agent\""), nil)
	show := slack.NewRadioButtonsBlockElement(inputAction, yes, no)
	show.InitialOption = no
	if f.showName {
		show.InitialOption = yes
	}
	blocks = append(blocks,
		slack.NewDividerBlock(),
		slack.NewInputBlock(blockPriority, plainText("Priority group"),
			plainText("Told first about every ticket and added to every inbox channel. Not single-channel guests."), prio).WithOptional(true),
		slack.NewInputBlock(blockShowName, plainText("Show agent name"), nil, show),
		slack.NewHeaderBlock(plainText("Messages customers see")),
		slack.NewContextBlock("", md("Leave one empty for the default. Placeholders: {agent}, {team}, {ticket}.")),
		templateInput(blockPicked, "When an agent picks the chat", f.templates.Picked, tickets.DefaultTemplates.Picked),
		templateInput(blockTransfer, "When a transfer is accepted", f.templates.TransferAccepted, tickets.DefaultTemplates.TransferAccepted),
		templateInput(blockEnded, "When the chat ends", f.templates.Ended, tickets.DefaultTemplates.Ended),
		templateInput(blockRating, "Asking for a rating (after the chat ends)", f.templates.Rating, tickets.DefaultTemplates.Rating),
	)
	blocks = append(blocks,
		slack.NewHeaderBlock(plainText("Custom categories")),
		listInput(blockCategories, "Categories", f.categories, "Product: Request Management, Marketing Automation",
			"One a line: the category's name, a colon, its values separated by commas. Agents pick a value of each in a ticket's details."),
		slack.NewHeaderBlock(plainText("Customer channels")),
		listInput(blockCustomers, "Channels whose messages are requests", f.customers, "C0ACME = Support Team | Acme Corp | acme.com | 10m",
			"One a line: the channel's id, =, the team its requests go to; then, optionally, | the customer's name | their email domain | the grouping window. "+
				"Invite the app to each channel. A channel shared with another organisation: its people ask, ours answer (docs/slack-channels.md)."))
	if f.greetingsShown {
		blocks = append(blocks, listInput(blockGreetings, "Greetings and thanks", f.greetings, "hi, hello, thanks, have a nice day",
			"Written alone in a customer channel, these open no ticket. Separated by commas; leave empty for the built-in list."))
	}
	if f.reactionsShown {
		blocks = append(blocks,
			reactionInput(blockReactPick, "Reaction when a request is picked", f.reactions.Picked, tickets.DefaultStatusReactions.Picked),
			reactionInput(blockReactClose, "Reaction when a request is closed", f.reactions.Closed, tickets.DefaultStatusReactions.Closed))
	}
	blocks = append(blocks,
		slack.NewHeaderBlock(plainText("Saved replies")),
		listInput(blockReplies, "Replies", f.replies, "Greeting: Hi {customer_name}, I'm {agent_name}. How can I help?",
			"Each reply: its name, a colon, its text (on as many lines as it needs); a line of --- between replies. Placeholders: {customer_name}, {agent_name}, {ticket}. Agents send them with the Saved reply shortcut or /frontdesk reply."))
	for _, sf := range f.sections {
		if sf != nil { // nil: a section the panel never showed (formFromState)
			blocks = append(blocks, sf.Blocks()...)
		}
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: ViewAdmin, Title: plainText("Frontdesk settings"),
		Submit: plainText("Save"), Close: plainText("Cancel"),
		PrivateMetadata: panelMetadata(f),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// maxListInput is the most a multiline input takes: Slack's limit for plain_text_input.
const maxListInput = 3000

// listInput is an optional multiline input of up to maxListInput characters, for a list
// the admin writes in a format hint describes.
func listInput(block, label, value, placeholder, hint string) slack.Block {
	in := slack.NewPlainTextInputBlockElement(plainText(placeholder), inputAction)
	in.Multiline = true
	in.InitialValue = value
	in.MaxLength = maxListInput
	return slack.NewInputBlock(block, plainText(label), plainText(hint), in).WithOptional(true)
}

// reactionInput is an optional one-line input for an emoji's name, its default shown as
// the placeholder.
func reactionInput(block, label, value, def string) slack.Block {
	in := slack.NewPlainTextInputBlockElement(plainText(":"+def+":"), inputAction)
	in.InitialValue = value
	in.MaxLength = 120
	return slack.NewInputBlock(block, plainText(label), plainText("An emoji's name, shown on the requester's message. Empty: :"+def+":."), in).WithOptional(true)
}

func templateInput(block, label, value, placeholder string) slack.Block {
	in := slack.NewPlainTextInputBlockElement(plainText(clip(placeholder, 150)), inputAction)
	in.Multiline = true
	in.InitialValue = value
	in.MaxLength = tickets.MaxTemplateBytes
	return slack.NewInputBlock(block, plainText(label), nil, in).WithOptional(true)
}

// categoriesText writes categories one a line, as the admin panel shows them.
func categoriesText(cats []tickets.Category) string {
	lines := make([]string, len(cats))
	for i, c := range cats {
		lines[i] = c.Name + ": " + strings.Join(c.Values, ", ")
	}
	return strings.Join(lines, "\n")
}

// parseCategories reads categories written one a line ("Name: value, value"), blank
// lines skipped; problem, for the admin, says which line is wrong and why.
func parseCategories(text string) (_ []tickets.Category, problem string) {
	var cats []tickets.Category
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Sprintf("Line %d: write the category's name, a colon, then its values.", i+1)
		}
		c := tickets.Category{Name: strings.TrimSpace(name)}
		for _, v := range strings.Split(rest, ",") {
			if v = strings.TrimSpace(v); v != "" {
				c.Values = append(c.Values, v)
			}
		}
		cats = append(cats, c)
	}
	st := tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C", Label: "L"}}, Categories: cats}
	if err := st.Validate(); err != nil {
		return nil, capitalize(strings.TrimPrefix(err.Error(), tickets.ErrInvalid.Error()+": ")) + "."
	}
	return cats, ""
}

// customerChannelsText writes customer channels one a line, as the admin panel shows
// them: "C0ACME = Support Team | Acme Corp | acme.com | 10m", the team by its label among
// teams, what is unset left out at the end.
func customerChannelsText(ccs []tickets.CustomerChannel, teams []tickets.Team) string {
	lines := make([]string, len(ccs))
	for i, c := range ccs {
		team := c.Team
		if j := slices.IndexFunc(teams, func(t tickets.Team) bool { return t.ChannelID == c.Team }); j >= 0 {
			team = teams[j].Label
		}
		parts := []string{c.Channel + " = " + team, c.Customer, c.Domain, ""}
		if c.Grouping > 0 {
			parts[3] = tickets.FormatTarget(c.Grouping)
		}
		for len(parts) > 1 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		lines[i] = strings.Join(parts, " | ")
	}
	return strings.Join(lines, "\n")
}

// parseCustomerChannels reads customer channels as customerChannelsText writes them (a
// channel as Slack pastes it, <#C0ACME|acme-support>, is taken too), each team named by
// its label among teams; problem, for the admin, says which line is wrong and why.
func parseCustomerChannels(text string, teams []tickets.Team) (_ []tickets.CustomerChannel, problem string) {
	var ccs []tickets.CustomerChannel
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if mention, ok := strings.CutPrefix(line, "<#"); ok {
			if end := strings.IndexByte(mention, '>'); end > 0 {
				id, _, _ := strings.Cut(mention[:end], "|")
				line = id + mention[end+1:]
			}
		}
		head, rest, _ := strings.Cut(line, "|")
		channel, label, ok := strings.Cut(head, "=")
		if !ok {
			return nil, fmt.Sprintf("Line %d: write the channel's id, =, then the team's label.", i+1)
		}
		channel = strings.TrimSpace(channel)
		label = strings.TrimSpace(label)
		j := slices.IndexFunc(teams, func(t tickets.Team) bool { return strings.EqualFold(t.Label, label) })
		if j < 0 {
			return nil, fmt.Sprintf("Line %d: %q is no team above.", i+1, label)
		}
		c := tickets.CustomerChannel{Channel: channel, Team: teams[j].ChannelID}
		fields := strings.Split(rest, "|")
		get := func(k int) string {
			if rest == "" || k >= len(fields) {
				return ""
			}
			return strings.TrimSpace(fields[k])
		}
		c.Customer, c.Domain = get(0), strings.ToLower(get(1))
		if g := get(2); g != "" {
			d, err := tickets.ParseTarget(g)
			if err != nil {
				return nil, fmt.Sprintf("Line %d: the grouping window %q is no duration (like 5m or 1h).", i+1, g)
			}
			c.Grouping = d
		}
		if len(fields) > 3 {
			return nil, fmt.Sprintf("Line %d: after the team, at most three parts: the customer's name | their email domain | the grouping window.", i+1)
		}
		ccs = append(ccs, c)
	}
	if err := tickets.ValidateCustomerChannels(ccs, teams); err != nil {
		return nil, capitalize(strings.TrimPrefix(err.Error(), tickets.ErrInvalid.Error()+": ")) + "."
	}
	return ccs, ""
}

// savedRepliesText writes saved replies as the admin panel shows them: "Name: text", a
// line of --- between replies.
func savedRepliesText(rs []tickets.SavedReply) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Name + ": " + r.Text
	}
	return strings.Join(parts, "\n---\n")
}

// parseSavedReplies reads saved replies as savedRepliesText writes them, empty ones
// skipped; problem, for the admin, says which reply is wrong and why.
func parseSavedReplies(text string) (_ []tickets.SavedReply, problem string) {
	var rs []tickets.SavedReply
	var chunk []string
	n := 0
	flush := func() string {
		body := strings.TrimSpace(strings.Join(chunk, "\n"))
		chunk = nil
		if body == "" {
			return ""
		}
		n++
		name, rest, ok := strings.Cut(body, ":")
		if !ok || strings.Contains(name, "\n") {
			return fmt.Sprintf("Reply %d: write its name, a colon, then its text.", n)
		}
		rs = append(rs, tickets.SavedReply{Name: strings.TrimSpace(name), Text: strings.TrimSpace(rest)})
		return ""
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "---" {
			if p := flush(); p != "" {
				return nil, p
			}
			continue
		}
		chunk = append(chunk, line)
	}
	if p := flush(); p != "" {
		return nil, p
	}
	st := tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C", Label: "L"}}, SavedReplies: rs}
	if err := st.Validate(); err != nil {
		return nil, capitalize(strings.TrimPrefix(err.Error(), tickets.ErrInvalid.Error()+": ")) + "."
	}
	return rs, ""
}

// capitalize upper-cases s's first letter.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// greetingsText writes greetings as the admin panel shows them: separated by commas, the
// built-in ones when none are set.
func greetingsText(greetings []string) string {
	if greetings == nil {
		greetings = tickets.DefaultGreetings
	}
	return strings.Join(greetings, ", ")
}

// parseGreetings reads greetings written as greetingsText does (commas or lines between
// them); the built-in list, or nothing written, is nil. problem says what is wrong.
func parseGreetings(text string) (_ []string, problem string) {
	var gs []string
	for _, g := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' }) {
		if g = strings.TrimSpace(g); g != "" {
			gs = append(gs, g)
		}
	}
	if len(gs) == 0 || slices.Equal(gs, tickets.DefaultGreetings) {
		return nil, ""
	}
	st := tickets.Settings{TicketingChannels: []tickets.Team{{ChannelID: "C", Label: "L"}}, Greetings: gs}
	if err := st.Validate(); err != nil {
		return nil, capitalize(strings.TrimPrefix(err.Error(), tickets.ErrInvalid.Error()+": ")) + "."
	}
	return gs, ""
}

// parseReactions reads the status reactions as the admin wrote them (":eyes:" or "eyes");
// problems are by block.
func parseReactions(r tickets.StatusReactions, problems map[string]string) tickets.StatusReactions {
	for _, f := range []struct {
		block string
		name  *string
	}{{blockReactPick, &r.Picked}, {blockReactClose, &r.Closed}} {
		if *f.name == "" {
			continue
		}
		name, ok := tickets.ReactionName(*f.name)
		if !ok {
			problems[f.block] = "Write an emoji's name, like :eyes: or white_check_mark."
			continue
		}
		*f.name = name
	}
	return r
}
