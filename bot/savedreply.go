package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// Saved replies (tickets.SavedReply): in an inbox channel, the Saved reply message
// shortcut or "/frontdesk reply" opens a modal in two steps: pick a reply, then read it
// with its placeholders filled in, change it if need be, and send it. It goes to the
// customer as the agent's message: the bot posts it in the inbox channel under the agent's
// name, and that post is the message the ticket service takes (its ts its source id), so
// it gets the delivery marks of any agent message.

// openSavedReply opens the saved reply modal for user in channel, or tells them,
// privately, why not.
func (b *Bot) openSavedReply(ctx context.Context, channel, user, triggerID string) {
	say := func(text string) { b.ephemeral(ctx, channel, user, "", text) }
	t, err := b.tk.ByInbox(ctx, channel)
	switch {
	case errors.Is(err, tickets.ErrNotFound):
		say("Saved replies work in a live chat's inbox channel. This channel is not one.")
		return
	case err != nil:
		b.log.Error("saved reply", zap.String("channel", channel), zap.Error(err))
		say("Saved replies are unavailable just now; please try again.")
		return
	case t.Status == tickets.StatusClosed:
		say("This live chat has ended.")
		return
	case !t.Status.Picked():
		say("This chat is waiting for someone to pick it; a reply can be sent once it is picked.")
		return
	}
	if why := b.workProblem(ctx, user, t, t.Inbox); why != "" {
		say(why)
		return
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		b.log.Error("saved reply: settings", zap.Error(err))
		say("Saved replies are unavailable just now; please try again.")
		return
	}
	if len(st.SavedReplies) == 0 {
		say("There are no saved replies yet: an admin adds them in the Frontdesk admin panel (Saved replies).")
		return
	}
	if _, err := b.api.OpenViewContext(ctx, triggerID, replyPickView(t, st.SavedReplies)); err != nil {
		b.log.Error("open saved reply", zap.String("ticket", string(t.ID)), zap.Error(err))
	}
}

// replyPickView is the modal's first step: which saved reply.
func replyPickView(t *tickets.Ticket, rs []tickets.SavedReply) slack.ModalViewRequest {
	var options []*slack.OptionBlockObject
	for i, r := range rs {
		if i == maxOptions {
			break
		}
		options = append(options, slack.NewOptionBlockObject(clip(r.Name, 75), plainText(clip(r.Name, 75)), nil))
	}
	pick := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose a reply"), inputAction, options...)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: ViewReplyPick, Title: plainText("Saved reply"),
		Submit: plainText("Next"), Close: plainText("Cancel"), PrivateMetadata: string(t.ID),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(md(clip("*Ticket "+esc(ticketTitle(t))+"*", maxSectionText)), nil, nil),
			slack.NewInputBlock(blockReplyPick, plainText("Reply"), nil, pick),
		}},
	}
}

// maxOptions is Slack's limit on a static select's options.
const maxOptions = 100

// replySendView is the modal's second step: the reply with its placeholders filled in,
// to change if need be and send.
func replySendView(t *tickets.Ticket, text string) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(nil, inputAction)
	in.Multiline = true
	in.InitialValue = text
	in.MaxLength = tickets.MaxSavedReplyText
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: ViewReplySend, Title: plainText("Saved reply"),
		Submit: plainText("Send"), Close: plainText("Cancel"), PrivateMetadata: string(t.ID),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock(blockReplyText, plainText("Message to the customer"),
				plainText("Change it as you like; it goes to the customer as your message."), in),
		}},
	}
}

// submitReplyPick fills in the chosen reply and turns the modal to its second step.
func (b *Bot) submitReplyPick(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	t, why := b.replyTicket(ctx, cb)
	if why != "" {
		return fieldError(blockReplyPick, why)
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		return fieldError(blockReplyPick, "The saved replies could not be read just now; please try again.")
	}
	r, ok := st.SavedReplyNamed(viewValues(&cb.View)[blockReplyPick][inputAction].SelectedOption.Value)
	if !ok {
		return fieldError(blockReplyPick, "That reply is no longer saved; choose another.")
	}
	text := tickets.RenderReply(r.Text, t, b.users.agent(ctx, cb.User.ID))
	return slack.NewUpdateViewSubmissionResponse(new(replySendView(t, text)))
}

// submitReplySend sends the reply: once the modal is closed, the bot posts it in the
// inbox channel under the agent's name and hands that post to the ticket service as the
// agent's message, in the channel's order.
func (b *Bot) submitReplySend(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	t, why := b.replyTicket(ctx, cb)
	if why != "" {
		return fieldError(blockReplyText, why)
	}
	text := strings.TrimSpace(viewValues(&cb.View)[blockReplyText][inputAction].Value)
	if text == "" {
		return fieldError(blockReplyText, "Write the message to send.")
	}
	user := cb.User.ID
	afterAck(ctx, func(ctx context.Context) {
		b.inOrder(ctx, t.Inbox, func(ctx context.Context) { b.sendReply(ctx, t, user, text) })
	})
	return nil
}

// replyTicket is the ticket a saved reply modal is for, while the user may still answer
// in it; else why not.
func (b *Bot) replyTicket(ctx context.Context, cb *slack.InteractionCallback) (*tickets.Ticket, string) {
	t, err := b.tk.Get(ctx, tickets.ID(cb.View.PrivateMetadata))
	switch {
	case errors.Is(err, tickets.ErrNotFound):
		return nil, "This ticket no longer exists."
	case err != nil:
		return nil, "The ticket could not be read just now; please try again."
	case t.Status == tickets.StatusClosed:
		return nil, "This live chat has ended."
	case !t.Status.Picked() || t.Inbox == "":
		return nil, "This chat is waiting for someone to pick it; a reply can be sent once it is picked."
	}
	if why := b.workProblem(ctx, cb.User.ID, t, t.Inbox); why != "" {
		return nil, why
	}
	return t, ""
}

// sendReply posts text in t's inbox channel under user's name and hands it to the ticket
// service as user's message. When the service cannot take it, the agent is told, and the
// post says it was not sent.
func (b *Bot) sendReply(ctx context.Context, t *tickets.Ticket, user, text string) {
	a := b.users.agent(ctx, user)
	name := a.Name
	if name == "" {
		name = "Agent"
	}
	_, ts, err := b.api.PostMessageContext(ctx, t.Inbox, slack.MsgOptionText(esc(text), false),
		slack.MsgOptionUsername(clip(name+" (saved reply)", 80)), slack.MsgOptionIconEmoji(":speech_balloon:"))
	if err != nil {
		b.log.Error("post saved reply", zap.String("ticket", string(t.ID)), zap.Error(err))
		b.ephemeral(ctx, t.Inbox, user, "", ":warning: Your saved reply could not be sent just now; please try again.")
		return
	}
	m := tickets.Message{Direction: tickets.FromAgent, Author: a, Text: text, SourceMessageID: ts, At: tsTime(ts)}
	err = b.takeAgentMessage(ctx, t.Inbox, m)
	if err == nil {
		b.log.Info("saved reply sent", zap.String("ticket", string(t.ID)), zap.String("by", user))
		return
	}
	b.log.Warn("saved reply not taken", zap.String("ticket", string(t.ID)), zap.Error(err))
	if _, _, _, uerr := b.api.UpdateMessageContext(ctx, t.Inbox, ts,
		slack.MsgOptionText(":x: _Not sent to the customer:_ "+esc(text), false)); uerr != nil {
		b.log.Warn("mark saved reply not sent", zap.Error(uerr))
	}
	b.ephemeral(ctx, t.Inbox, user, "", ":warning: Your saved reply was not sent to the customer: "+esc(err.Error()))
}

// onCommand handles /frontdesk: "reply" (or nothing) picks a saved reply; anything else
// gets the command's help, privately.
func (b *Bot) onCommand(ctx context.Context, cmd slack.SlashCommand) {
	if cmd.Command != CommandFrontdesk {
		return
	}
	switch strings.ToLower(strings.TrimSpace(cmd.Text)) {
	case "", "reply", "replies":
		b.openSavedReply(ctx, cmd.ChannelID, cmd.UserID, cmd.TriggerID)
	default:
		b.ephemeral(ctx, cmd.ChannelID, cmd.UserID, "", commandHelp)
	}
}

// commandHelp says what /frontdesk does.
const commandHelp = "*/frontdesk reply* (or just */frontdesk*): in a live chat's inbox channel, pick a saved reply, " +
	"change it if need be, and send it to the customer.\n*/frontdesk help*: this help.\n" +
	"Also: the *Saved reply* and *Live Chat Control* shortcuts on any message of an inbox channel, and `@frontdesk` to ask what a channel is."
