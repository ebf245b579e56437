package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The SLA modal: the admin panel has a button per saved team that pushes it. It edits
// the team's policy (tickets.SLAPolicy): targets by urgency, business hours, holidays,
// the warning share, the escalation, the reopen window, waiting on the customer after
// each reply, whether waiting pauses the resolution, and the automatic replies. Each
// field is read as people write it (tickets.ParseTarget, ParseHours, ParseHolidays), and
// a problem comes back on its field; nothing is saved until all is well. Saving replaces
// the team's policy in the saved settings as they are then; clearing every field removes
// it.

// Block ids of the SLA modal.
const (
	slaTarget    = "sla_target_" // + the urgency, or "none"
	slaHours     = "sla_hours"
	slaHolidays  = "sla_holidays"
	slaWarn      = "sla_warn"
	slaEscalate  = "sla_escalation"
	slaReopen    = "sla_reopen"
	slaOptions   = "sla_options"
	slaReplyIn   = "sla_reply_in"
	slaReplyOut  = "sla_reply_out"
	optAutoWait  = "auto_waiting"
	optRunPaused = "runs_paused"
)

// slaUrgencies are the urgencies the modal has a row of targets for; "" is none.
var slaUrgencies = []tickets.Urgency{tickets.UrgencyUrgent, tickets.UrgencyHigh, tickets.UrgencyMedium, tickets.UrgencyLow, ""}

func urgencyKey(u tickets.Urgency) string {
	if u == "" {
		return "none"
	}
	return string(u)
}

// slaButtons are the admin panel's buttons to the saved teams' SLA modals.
func slaButtons(st *tickets.Settings) []slack.Block {
	if len(st.TicketingChannels) == 0 {
		return nil
	}
	var buttons []slack.BlockElement
	for i, t := range st.TicketingChannels {
		text := t.Label
		if _, ok := st.SLAFor(t.ChannelID); ok {
			text += " ✓"
		}
		// Action ids are unique within a block: the n after ":" is dropped when routed.
		buttons = append(buttons, slack.NewButtonBlockElement(ActionEditSLA+":"+strconv.Itoa(i), t.ChannelID, plainText(clip(text, 75))))
	}
	return []slack.Block{
		slack.NewHeaderBlock(plainText("SLAs, statuses and replies")),
		slack.NewContextBlock("", md("Response-time targets, business hours, reopening and automatic replies, per team (✓: set). A team added above gets its button once saved.")),
		slack.NewActionBlock("admin_slas", buttons...),
	}
}

// openSLA pushes the SLA modal of the team whose channel the button names.
func (p *adminPanel) openSLA(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	if ok, err := p.isAdmin(ctx, cb.User.ID); err != nil || !ok {
		return
	}
	st, err := p.tk.Settings(ctx)
	if err != nil {
		p.log.Error("sla modal: settings", zap.Error(err))
		return
	}
	team, ok := st.TeamByChannel(a.Value)
	if !ok {
		return
	}
	policy, _ := st.SLAFor(team.ChannelID)
	if _, err := p.api.PushViewContext(ctx, cb.TriggerID, slaView(team, policy)); err != nil {
		p.log.Error("push the sla modal", zap.String("team", team.ChannelID), zap.Error(err))
	}
}

// slaView is the SLA modal of team, showing policy p.
func slaView(team tickets.Team, p tickets.SLAPolicy) slack.ModalViewRequest {
	text := func(block, label, value, placeholder, hint string, multiline bool) slack.Block {
		in := slack.NewPlainTextInputBlockElement(plainText(placeholder), inputAction)
		in.InitialValue, in.Multiline, in.MaxLength = value, multiline, 3000
		var h *slack.TextBlockObject
		if hint != "" {
			h = plainText(hint)
		}
		return slack.NewInputBlock(block, plainText(label), h, in).WithOptional(true)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(md(clip("*"+esc(team.Label)+"* · "+channelLink(team.ChannelID), maxSectionText)), nil, nil),
		slack.NewHeaderBlock(plainText("Targets")),
		slack.NewContextBlock("", md("First reply / next reply / resolution, in business time: `15m / 1h / 4h`; `2d` is 48 business hours; `-` is no target. Leave a row empty for no targets.")),
	}
	for _, u := range slaUrgencies {
		value := ""
		if t, ok := p.Targets[u]; ok {
			value = tickets.FormatTarget(t.FirstResponse) + " / " + tickets.FormatTarget(t.NextResponse) + " / " + tickets.FormatTarget(t.Resolution)
		}
		label := "No urgency"
		if u != "" {
			label = u.Label()
		}
		blocks = append(blocks, text(slaTarget+urgencyKey(u), label, value, "15m / 1h / 4h", "", false))
	}
	hours, holidays := "", ""
	if p.Team != "" {
		hours = p.Hours.String()
		var days []string
		for _, d := range p.Hours.Holidays {
			days = append(days, d.String())
		}
		holidays = strings.Join(days, " ")
	}
	warn, reopen := "", ""
	if p.WarnAt > 0 {
		warn = strconv.FormatFloat(p.WarnAt*100, 'f', -1, 64) + "%"
	}
	if p.ReopenWindow > 0 {
		reopen = tickets.FormatTarget(p.ReopenWindow)
	}
	options := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject(optAutoWait, plainText("Wait on the customer after each reply"),
			plainText("An agent's message sets the ticket waiting on the customer; their answer makes it active.")),
		slack.NewOptionBlockObject(optRunPaused, plainText("Keep the resolution clock running while waiting or on hold"), nil),
	}
	boxes := slack.NewCheckboxGroupsBlockElement(inputAction, options...)
	if p.AutoWaiting {
		boxes.InitialOptions = append(boxes.InitialOptions, options[0])
	}
	if p.ResolutionRunsPaused {
		boxes.InitialOptions = append(boxes.InitialOptions, options[1])
	}
	blocks = append(blocks,
		slack.NewHeaderBlock(plainText("Business hours")),
		text(slaHours, "Hours", hours, "Europe/Berlin Mon-Fri 09:00-17:00; Sat 10:00-14:00",
			"An IANA time zone, then days and ranges; a range ending at or before its start runs past midnight; or 24/7. Empty: 24/7, UTC.", false),
		text(slaHolidays, "Holidays", holidays, "2026-12-24 2026-12-25", "Days closed all day, YYYY-MM-DD.", true),
		slack.NewHeaderBlock(plainText("Alerts")),
		text(slaWarn, "Warn at", warn, "75%", "The share of a target after which the assignee (or the priority group) is warned.", false),
		text(slaEscalate, "Escalate breaches to", p.Escalation, "S0123ABCD or C0123ABCD",
			"A user group id (mentioned under the card) or a channel id (the breach is posted there).", false),
		slack.NewHeaderBlock(plainText("Statuses")),
		text(slaReopen, "Reopen window", reopen, "2h", "A customer who writes again this soon after a close reopens the same ticket. Empty: never.", false),
		slack.NewInputBlock(slaOptions, plainText("Options"), nil, boxes).WithOptional(true),
		slack.NewHeaderBlock(plainText("Automatic replies")),
		text(slaReplyIn, "When a ticket opens in business hours", p.AutoReply.InHours, "Thanks! An agent will be with you shortly.", "Empty: none.", true),
		text(slaReplyOut, "When a ticket opens outside them", p.AutoReply.OutOfHours, "Thanks! We are back {next_open}.",
			"{next_open}: when the team's hours open again, in its time zone. Empty: none.", true),
	)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: ViewSLA, Title: plainText("SLA and statuses"),
		Submit: plainText("Save"), Close: plainText("Back"),
		PrivateMetadata: team.ChannelID,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// submitSLA checks and saves the SLA modal. Each problem comes back on its field.
func (p *adminPanel) submitSLA(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	v := &cb.View
	first := slaTarget + urgencyKey(slaUrgencies[0])
	if ok, err := p.isAdmin(ctx, cb.User.ID); err != nil || !ok {
		return fieldError(first, "Only Frontdesk admins can change these settings.")
	}
	errs := map[string]string{}
	policy := tickets.SLAPolicy{Team: v.PrivateMetadata}
	for _, u := range slaUrgencies {
		block := slaTarget + urgencyKey(u)
		raw := strings.TrimSpace(stateOf(v, block).Value)
		if raw == "" {
			continue
		}
		targets, err := tickets.ParseTargetsOf(raw)
		if err != nil {
			errs[block] = clip(err.Error(), 300)
			continue
		}
		if policy.Targets == nil {
			policy.Targets = map[tickets.Urgency]tickets.Targets{}
		}
		policy.Targets[u] = targets
	}
	policy.Hours = tickets.Hours{Always: true}
	if raw := strings.TrimSpace(stateOf(v, slaHours).Value); raw != "" {
		h, err := tickets.ParseHours(raw)
		if err != nil {
			errs[slaHours] = clip(err.Error(), 300)
		}
		policy.Hours = h
	}
	if raw := stateOf(v, slaHolidays).Value; strings.TrimSpace(raw) != "" {
		days, err := tickets.ParseHolidays(raw)
		if err != nil {
			errs[slaHolidays] = clip(err.Error(), 300)
		}
		policy.Hours.Holidays = days
	}
	if raw := strings.TrimSpace(stateOf(v, slaWarn).Value); raw != "" {
		f, err := tickets.ParseShare(raw)
		if err != nil {
			errs[slaWarn] = err.Error()
		}
		policy.WarnAt = f
	}
	policy.Escalation = strings.TrimSpace(stateOf(v, slaEscalate).Value)
	if raw := strings.TrimSpace(stateOf(v, slaReopen).Value); raw != "" {
		d, err := tickets.ParseTarget(raw)
		if err != nil {
			errs[slaReopen] = err.Error()
		}
		policy.ReopenWindow = d
	}
	for _, o := range stateOf(v, slaOptions).SelectedOptions {
		switch o.Value {
		case optAutoWait:
			policy.AutoWaiting = true
		case optRunPaused:
			policy.ResolutionRunsPaused = true
		}
	}
	policy.AutoReply = tickets.AutoReply{InHours: strings.TrimSpace(stateOf(v, slaReplyIn).Value), OutOfHours: strings.TrimSpace(stateOf(v, slaReplyOut).Value)}
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs)
	}
	st, err := p.tk.Settings(ctx)
	if err != nil {
		p.log.Error("sla modal: settings", zap.Error(err))
		return fieldError(first, "The settings could not be read just now; please try again.")
	}
	if _, ok := st.TeamByChannel(policy.Team); !ok {
		return fieldError(first, "This team is no longer a ticketing channel.")
	}
	next := *st
	next.SLAs = nil
	for _, other := range st.SLAs {
		if other.Team != policy.Team {
			next.SLAs = append(next.SLAs, other)
		}
	}
	if !emptyPolicy(policy) {
		next.SLAs = append(next.SLAs, policy)
	}
	next.Sinks = nil // UpdateSettings keeps the saved sinks' settings
	if err := p.tk.UpdateSettings(ctx, next); err != nil {
		if errors.Is(err, tickets.ErrInvalid) {
			return fieldError(slaProblemBlock(err), clip(strings.TrimPrefix(err.Error(), tickets.ErrInvalid.Error()+": "), 300))
		}
		p.log.Error("save the sla", zap.Error(err))
		return fieldError(first, "The settings could not be saved just now; please try again.")
	}
	p.log.Info("sla saved", zap.String("by", cb.User.ID), zap.String("team", policy.Team), zap.Bool("removed", emptyPolicy(policy)))
	go p.rearmSLA(policy.Team)
	return nil
}

// rearmSLA has the team's open tickets timed by its policy as saved, once the modal has
// closed (it reads every open ticket). A failure leaves those it did not reach to their
// next change of team, urgency or status, as before the save.
func (p *adminPanel) rearmSLA(team string) {
	ctx, cancel := context.WithTimeout(context.Background(), rearmTimeout)
	defer cancel()
	n, err := p.tk.RearmSLA(ctx, team)
	if err != nil {
		p.log.Error("sla saved: its team's open tickets not all re-timed", zap.String("team", team), zap.Int("done", n), zap.Error(err))
		return
	}
	p.log.Info("sla saved: open tickets re-timed", zap.String("team", team), zap.Int("tickets", n))
}

// rearmTimeout bounds rearmSLA: 10,000 open tickets take a few seconds.
const rearmTimeout = 2 * time.Minute

// emptyPolicy reports whether p sets nothing: no targets, reopening, waiting or replies,
// whatever its hours say.
func emptyPolicy(p tickets.SLAPolicy) bool {
	return len(p.Targets) == 0 && p.ReopenWindow == 0 && !p.AutoWaiting && p.AutoReply == (tickets.AutoReply{}) && p.Escalation == ""
}

// slaProblemBlock is the field an invalid policy's error is about.
func slaProblemBlock(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "business hours"):
		return slaHours
	case strings.Contains(msg, "warning share"):
		return slaWarn
	case strings.Contains(msg, "escalation"):
		return slaEscalate
	case strings.Contains(msg, "reopen window"):
		return slaReopen
	case strings.Contains(msg, "automatic reply"):
		return slaReplyIn
	}
	for _, u := range slaUrgencies {
		if u != "" && strings.Contains(msg, u.Label()+" ") {
			return slaTarget + urgencyKey(u)
		}
	}
	return slaTarget + "none"
}
