package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// openControl opens Live Chat Control for the inbox channel the shortcut was used in, or
// for the request whose thread in a customer channel has the message. Elsewhere it
// explains, privately, where it works.
func (b *Bot) openControl(ctx context.Context, cb *slack.InteractionCallback) {
	t, err := b.tk.ByInbox(ctx, cb.Channel.ID)
	if errors.Is(err, tickets.ErrNotFound) {
		t, err = b.tk.ChannelTicket(ctx, cb.Channel.ID, cb.Message.Timestamp, cb.Message.ThreadTimestamp)
	}
	if errors.Is(err, tickets.ErrNotFound) {
		b.ephemeral(ctx, cb.Channel.ID, cb.User.ID, "",
			"Live Chat Control works on messages in a live chat's inbox channel, or in a request's thread in a customer channel. This is neither.")
		return
	}
	if err != nil {
		b.log.Error("live chat control", zap.String("channel", cb.Channel.ID), zap.Error(err))
		b.ephemeral(ctx, cb.Channel.ID, cb.User.ID, "", "Live Chat Control is unavailable just now; please try again.")
		return
	}
	if t.Status == tickets.StatusClosed {
		b.ephemeral(ctx, cb.Channel.ID, cb.User.ID, "", "This live chat has ended.")
		return
	}
	if why := b.workProblem(ctx, cb.User.ID, t, workChannels(t)...); why != "" {
		b.ephemeral(ctx, cb.Channel.ID, cb.User.ID, "", why)
		return
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		b.log.Error("live chat control: settings", zap.Error(err))
		return
	}
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, controlView(t, st, b.tk.CanHandBack(t))); err != nil {
		b.log.Error("open live chat control", zap.String("ticket", string(t.ID)), zap.Error(err))
	}
}

// workChannels are the channels whose members may work t from Live Chat Control: its
// inbox channel, or, for a request answered in its thread (no inbox), its team's
// ticketing channel.
func workChannels(t *tickets.Ticket) []string {
	if t.InThread() {
		return []string{t.Team.ChannelID}
	}
	return []string{t.Inbox}
}

// controlView is the Live Chat Control modal for t: transfer to a team, end the chat, or
// (when its source can take it) hand it back to the source.
func controlView(t *tickets.Ticket, st *tickets.Settings, handBack bool) slack.ModalViewRequest {
	var teams []*slack.OptionBlockObject
	for _, team := range st.TicketingChannels {
		teams = append(teams, slack.NewOptionBlockObject(team.ChannelID,
			slack.NewTextBlockObject(slack.PlainTextType, clip(team.Label, 75), false, false), nil))
	}
	options := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject(optTransfer, plainText("Transfer to another team"), nil),
		slack.NewOptionBlockObject(optEnd, plainText("End the live chat"), nil),
	}
	// The statuses it can go to from where it is.
	for _, s := range []struct {
		value string
		to    tickets.Status
		text  string
	}{{optWaiting, tickets.StatusWaiting, "Waiting on customer"}, {optHold, tickets.StatusOnHold, "Put on hold"}, {optActive, tickets.StatusActive, "Back to active"}} {
		if t.Status.Picked() && t.Status != s.to {
			options = append(options, slack.NewOptionBlockObject(s.value, plainText(s.text), nil))
		}
	}
	if handBack {
		options = append(options, slack.NewOptionBlockObject(optHandBack,
			plainText(clip("Hand back to "+sourceName(t), 75)), nil))
	}
	action := slack.NewRadioButtonsBlockElement(inputAction, options...)
	team := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic,
		slack.NewTextBlockObject(slack.PlainTextType, "Choose a team", false, false), inputAction, teams...)
	reason := slack.NewPlainTextInputBlockElement(nil, inputAction)
	reason.Multiline = true
	reason.MaxLength = 2000
	blocks := []slack.Block{
		slack.NewSectionBlock(md(clip(fmt.Sprintf("*Ticket %s*\n%s", esc(ticketTitle(t)), status(t, "")), maxSectionText)), nil, nil),
		slack.NewInputBlock(blockAction, plainText("What to do"), nil, action),
		slack.NewInputBlock(blockTeam, plainText("Team (to transfer)"), nil, team).WithOptional(true),
		slack.NewInputBlock(blockReason, plainText("Note (shown in Slack only; a hold's: what it waits for)"), nil, reason).WithOptional(true),
	}
	if t.Status.Picked() {
		blocks = append(blocks, slack.NewInputBlock(blockWake, plainText("Wake up at (on hold)"), nil,
			slack.NewDateTimePickerBlockElement(inputAction)).WithOptional(true))
	}
	blocks = append(blocks, slack.NewActionBlock("lcc_details", detailsButton(t.ID)))
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ViewControl,
		Title:           plainText("Live Chat Control"),
		Submit:          plainText("Proceed"),
		Close:           plainText("Cancel"),
		PrivateMetadata: string(t.ID),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// submitControl carries out a Live Chat Control submission. Problems the user can fix come
// back as errors on the modal's fields; the modal closes when the change is made.
func (b *Bot) submitControl(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	id := tickets.ID(cb.View.PrivateMetadata)
	values := viewValues(&cb.View)
	if t, err := b.tk.Get(ctx, id); err == nil {
		if why := b.workProblem(ctx, cb.User.ID, t, workChannels(t)...); why != "" {
			return fieldError(blockAction, why)
		}
	}
	by := b.users.agent(ctx, cb.User.ID)
	reason := values[blockReason][inputAction].Value
	var err error
	switch values[blockAction][inputAction].SelectedOption.Value {
	case optTransfer:
		to := values[blockTeam][inputAction].SelectedOption.Value
		if to == "" {
			return fieldError(blockTeam, "Choose the team to transfer the chat to.")
		}
		_, err = b.tk.Transfer(ctx, id, to, by)
		switch {
		case errors.Is(err, tickets.ErrSameTeam):
			return fieldError(blockTeam, "The chat is already waiting in that team.")
		case errors.Is(err, tickets.ErrUnknownTeam):
			return fieldError(blockTeam, "That team is no longer a ticketing channel.")
		}
	case optEnd:
		_, err = b.tk.End(ctx, id, by, reason)
	case optHandBack:
		_, err = b.tk.HandBack(ctx, id, by, reason)
	case optWaiting, optHold, optActive:
		to := tickets.Status(values[blockAction][inputAction].SelectedOption.Value)
		var wake time.Time
		if at := values[blockWake][inputAction].SelectedDateTime; at > 0 {
			wake = time.Unix(at, 0)
		}
		if to != tickets.StatusOnHold && !wake.IsZero() {
			return fieldError(blockWake, "Only a hold wakes up.")
		}
		if to != tickets.StatusOnHold && reason != "" {
			return fieldError(blockReason, "Only a hold has a note here.")
		}
		_, err = b.tk.SetStatus(ctx, id, by, to, reason, wake)
		switch {
		case errors.Is(err, tickets.ErrSameStatus):
			return fieldError(blockAction, "The ticket is in that status already.")
		case errors.Is(err, tickets.ErrNotActive):
			return fieldError(blockAction, "No one has picked this ticket yet.")
		case errors.Is(err, tickets.ErrInvalid) && !wake.IsZero():
			return fieldError(blockWake, "Choose a time in the next 90 days.")
		}
	default:
		return fieldError(blockAction, "Choose what to do.")
	}
	switch {
	case err == nil:
		b.log.Info("live chat control", zap.String("ticket", string(id)), zap.String("by", cb.User.ID))
		return nil
	case errors.Is(err, tickets.ErrClosed):
		return fieldError(blockAction, "This live chat has ended already.")
	case errors.Is(err, tickets.ErrNotFound):
		return fieldError(blockAction, "This ticket no longer exists.")
	case errors.Is(err, tickets.ErrInvalid):
		return fieldError(blockReason, err.Error())
	}
	b.log.Error("live chat control", zap.String("ticket", string(id)), zap.Error(err))
	return fieldError(blockAction, "That could not be done just now; please try again.")
}

func fieldError(block, msg string) *slack.ViewSubmissionResponse {
	return slack.NewErrorsViewSubmissionResponse(map[string]string{block: msg})
}
