package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/internal/panel"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// adminTickets is the part of the ticket service the admin panel uses.
type adminTickets interface {
	Settings(ctx context.Context) (*tickets.Settings, error)
	UpdateSettings(ctx context.Context, st tickets.Settings) error
	CheckSetup(ctx context.Context) ([]tickets.SetupReport, error)
	RearmSLA(ctx context.Context, team string) (int, error)
}

// adminPanel is the modal (global shortcut, App Home button) in which admins edit the
// settings: ticketing channels and labels, the priority group, show-agent-name, the
// customer-facing messages, custom categories and, after them, the sinks' sections.
// Nothing is saved until every field is valid; a problem comes back on the field that
// has it.
type adminPanel struct {
	api      *slack.Client
	tk       adminTickets
	users    *users            // the Bot's users.info cache: admins, guests, bots
	admins   []tickets.AgentID // Config.Admins
	sections []panel.Section   // Config.Sections
	log      *zap.Logger
}

// isAdmin reports whether user may change the settings: a workspace admin or owner, or
// one of Config.Admins.
func (p *adminPanel) isAdmin(ctx context.Context, user string) (bool, error) {
	if slices.Contains(p.admins, tickets.AgentID(user)) {
		return true, nil
	}
	u, err := p.users.get(ctx, user)
	if err != nil {
		return false, err
	}
	return u.IsAdmin || u.IsOwner || u.IsPrimaryOwner, nil
}

// open opens the admin panel for an admin; anyone else is told it is for admins.
func (p *adminPanel) open(ctx context.Context, cb *slack.InteractionCallback) {
	ok, err := p.isAdmin(ctx, cb.User.ID)
	var view slack.ModalViewRequest
	switch {
	case err != nil:
		p.log.Error("admin check", zap.String("user", cb.User.ID), zap.Error(err))
		view = noticeView("Frontdesk", "Your permissions could not be checked just now; please try again.")
	case !ok:
		view = noticeView("Frontdesk", "Only Frontdesk admins (workspace admins and owners, and the users the operator names) can change these settings.")
	default:
		st, err := p.tk.Settings(ctx)
		if err != nil {
			p.log.Error("admin panel: settings", zap.Error(err))
			view = noticeView("Frontdesk", "The settings could not be read just now; please try again.")
		} else {
			view = adminView(formFromSettings(st, p.sections))
		}
	}
	if _, err := p.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		p.log.Error("open admin panel", zap.String("user", cb.User.ID), zap.Error(err))
	}
}

// noticeView is a modal that only says text.
func noticeView(title, text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: ViewNotice, Title: plainText(clip(title, 24)), Close: plainText("OK"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(md(clip(text, maxSectionText)), nil, nil)}},
	}
}

// addTeamRow adds an empty row to the admin panel, keeping what was entered.
func (p *adminPanel) addTeamRow(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) {
	f := formFromState(&cb.View, p.sections)
	if len(f.teams) >= maxTeamRows {
		return
	}
	f.addRow(tickets.Team{})
	f.slas = p.slaButtons(ctx)
	if _, err := p.api.UpdateViewContext(ctx, adminView(f), "", cb.View.Hash, cb.View.ID); err != nil {
		p.log.Warn("add a row to the admin panel", zap.Error(err))
	}
}

// removeTeamRow takes a row out of the admin panel, keeping what was entered elsewhere.
func (p *adminPanel) removeTeamRow(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	f := formFromState(&cb.View, p.sections)
	id, err := strconv.Atoi(a.Value)
	i := slices.Index(f.rowIDs, id)
	if err != nil || i < 0 || len(f.teams) < 2 {
		return
	}
	f.teams, f.rowIDs = slices.Delete(f.teams, i, i+1), slices.Delete(f.rowIDs, i, i+1)
	f.slas = p.slaButtons(ctx)
	if _, err := p.api.UpdateViewContext(ctx, adminView(f), "", cb.View.Hash, cb.View.ID); err != nil {
		p.log.Warn("remove a row from the admin panel", zap.Error(err))
	}
}

// submit checks and saves the admin panel. Every problem comes back on the field
// that has it; nothing is saved until all is well.
func (p *adminPanel) submit(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	f := formFromState(&cb.View, p.sections)
	if len(f.rowIDs) == 0 {
		return nil // not a panel this bot made: nothing to save
	}
	if ok, err := p.isAdmin(ctx, cb.User.ID); err != nil || !ok {
		return fieldError(teamChannel+strconv.Itoa(f.rowIDs[0]), "Only Frontdesk admins can change these settings.")
	}
	errs := map[string]string{}
	st := tickets.Settings{ShowAgentName: f.showName, Templates: f.templates}
	channels, labels := map[string]bool{}, map[string]bool{}
	for i, t := range f.teams {
		n := strconv.Itoa(f.rowIDs[i])
		switch {
		case t.ChannelID == "" && t.Label == "":
			continue
		case t.ChannelID == "":
			errs[teamChannel+n] = "Choose the channel for this label."
		case t.Label == "":
			errs[teamLabel+n] = "Give this channel a label (the team's name)."
		case channels[t.ChannelID]:
			errs[teamChannel+n] = "This channel is listed twice."
		case labels[strings.ToLower(t.Label)]:
			errs[teamLabel+n] = "This label is used twice."
		default:
			if why := p.ticketingChannelProblem(ctx, t.ChannelID); why != "" {
				errs[teamChannel+n] = why
			}
		}
		channels[t.ChannelID], labels[strings.ToLower(t.Label)] = true, true
		st.TicketingChannels = append(st.TicketingChannels, t)
	}
	firstRow := teamChannel + strconv.Itoa(f.rowIDs[0])
	if len(st.TicketingChannels) == 0 && len(errs) == 0 {
		errs[firstRow] = "At least one ticketing channel is needed."
	}
	for _, u := range f.priority {
		if why := p.priorityProblem(ctx, u); why != "" {
			errs[blockPriority] = why
			break
		}
		st.PriorityGroup = append(st.PriorityGroup, tickets.AgentID(u))
	}
	// Only the sections' sinks are in st.Sinks: UpdateSettings keeps the saved settings
	// of the others, and of a section the submitted panel did not show.
	var configured []panel.Section
	if len(p.sections) > 0 {
		st.Sinks = make(map[string]json.RawMessage, len(p.sections))
	}
	for i, sec := range p.sections {
		if f.sections[i] == nil { // not shown: its saved settings stay (formFromState)
			continue
		}
		st.Sinks[sec.Sink()] = f.sections[i].Settings(errs)
		if f.sections[i].Configured() {
			configured = append(configured, sec)
		}
	}
	cats, problem := parseCategories(f.categories)
	if problem != "" {
		errs[blockCategories] = problem
	}
	st.Categories = cats
	replies, problem := parseSavedReplies(f.replies)
	if problem != "" {
		errs[blockReplies] = problem
	}
	st.SavedReplies = replies
	if f.customersShown {
		customers, problem := parseCustomerChannels(f.customers, st.TicketingChannels)
		if problem != "" {
			errs[blockCustomers] = problem
		}
		st.CustomerChannels = customers
	}
	if f.greetingsShown {
		greetings, problem := parseGreetings(f.greetings)
		if problem != "" {
			errs[blockGreetings] = problem
		}
		st.Greetings = greetings
	}
	if f.reactionsShown {
		st.StatusReactions = parseReactions(f.reactions, errs)
	}
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs)
	}
	// The teams' SLA policies are edited elsewhere: those of the teams kept stay; so do
	// the customer channels, greetings and status reactions when the panel did not show
	// them (opened by an earlier version; greetings too long for its field).
	prev, err := p.tk.Settings(ctx)
	if err != nil {
		p.log.Error("admin panel: settings", zap.Error(err))
		return fieldError(firstRow, "The settings could not be saved just now; please try again.")
	}
	for _, sla := range prev.SLAs {
		if channels[sla.Team] {
			st.SLAs = append(st.SLAs, sla)
		}
	}
	if !f.greetingsShown {
		st.Greetings = prev.Greetings
	}
	if !f.reactionsShown {
		st.StatusReactions = prev.StatusReactions
	}
	for _, c := range prev.CustomerChannels {
		if f.customersShown {
			break
		}
		if channels[c.Team] {
			st.CustomerChannels = append(st.CustomerChannels, c)
		} else {
			p.log.Warn("admin panel: a customer channel's team was removed; its requests are no longer taken",
				zap.String("channel", c.Channel), zap.String("team", c.Team))
		}
	}
	if err := p.tk.UpdateSettings(ctx, st); err != nil {
		if errors.Is(err, tickets.ErrInvalid) {
			return fieldError(firstRow, err.Error())
		}
		p.log.Error("save settings", zap.Error(err))
		return fieldError(firstRow, "The settings could not be saved just now; please try again.")
	}
	names := make([]string, len(configured))
	for i, sec := range configured {
		names[i] = sec.Sink()
	}
	p.log.Info("settings saved", zap.String("by", cb.User.ID), zap.Int("teams", len(st.TicketingChannels)),
		zap.Int("priority_group", len(st.PriorityGroup)), zap.Strings("sections_configured", names))
	if len(configured) > 0 {
		return p.checkingSetup(ctx, cb.User.ID, configured)
	}
	return nil
}

// ticketingChannelProblem says why channel cannot be a ticketing channel, or "".
func (p *adminPanel) ticketingChannelProblem(ctx context.Context, channel string) string {
	ch, err := p.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	switch {
	case slackCode(err) == "channel_not_found":
		return "Add the Frontdesk app to this channel first (/invite @Frontdesk in the channel)."
	case err != nil:
		p.log.Warn("check ticketing channel", zap.String("channel", channel), zap.Error(err))
		return "This channel could not be checked just now; please try again."
	case ch.IsArchived:
		return "This channel is archived."
	case !ch.IsMember:
		return "Add the Frontdesk app to this channel first (/invite @Frontdesk in the channel)."
	}
	return ""
}

// priorityProblem says why user cannot be in the priority group, or "": every inbox
// channel invites them, which a single-channel guest, a bot or a deactivated account
// would make fail.
func (p *adminPanel) priorityProblem(ctx context.Context, user string) string {
	u, err := p.users.get(ctx, user)
	switch {
	case err != nil:
		return fmt.Sprintf("%s could not be checked just now; please try again.", mention(tickets.AgentID(user)))
	case u.IsUltraRestricted:
		return fmt.Sprintf("%s is a single-channel guest and cannot join inbox channels.", mention(tickets.AgentID(user)))
	case u.IsBot || u.IsAppUser:
		return fmt.Sprintf("%s is a bot.", mention(tickets.AgentID(user)))
	case u.Deleted:
		return fmt.Sprintf("%s is deactivated.", mention(tickets.AgentID(user)))
	}
	return ""
}

// shows reports whether the panel v has a block of form: whether the admin saw it.
func shows(v *slack.View, form panel.SectionForm) bool {
	shown := map[string]bool{}
	for _, b := range v.Blocks.BlockSet {
		shown[b.ID()] = true
	}
	for _, b := range form.Blocks() {
		if b.ID() != "" && shown[b.ID()] {
			return true
		}
	}
	return false
}

// checkSections reports a Config.Sections the panel cannot work with: a nil section, or
// two sections under one sink's name, which would save over each other's settings.
func checkSections(sections []panel.Section) error {
	seen := map[string]bool{}
	for i, sec := range sections {
		if sec == nil {
			return fmt.Errorf("bot: admin panel section %d is nil", i+1)
		}
		name := sec.Sink()
		switch {
		case strings.TrimSpace(name) == "":
			return fmt.Errorf("bot: admin panel section %d names no sink", i+1)
		case seen[name]:
			return fmt.Errorf("bot: two admin panel sections edit sink %q", name)
		}
		seen[name] = true
	}
	return nil
}

// slaButtons are the buttons to the saved teams' SLA modals, or none when the settings
// cannot be read just now.
func (p *adminPanel) slaButtons(ctx context.Context) []slack.Block {
	st, err := p.tk.Settings(ctx)
	if err != nil {
		p.log.Warn("admin panel: settings", zap.Error(err))
		return nil
	}
	return slaButtons(st)
}
