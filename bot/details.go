package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// detailsLine is a ticket's details at a glance: "*Urgency:* High · *Product:* Marketing
// Automation · *Tags:* billing, vip · *Rating:* ★★★★☆"; "" when none is set.
func detailsLine(t *tickets.Ticket) string {
	var parts []string
	if t.Urgency != "" {
		parts = append(parts, "*Urgency:* "+urgencyMark(t.Urgency)+t.Urgency.Label())
	}
	for _, name := range sortedKeys(t.Categories) {
		parts = append(parts, "*"+esc(clip(name, 60))+":* "+esc(clip(t.Categories[name], 60)))
	}
	if len(t.Tags) > 0 {
		parts = append(parts, "*Tags:* "+esc(clip(strings.Join(t.Tags, ", "), 300)))
	}
	if t.Sentiment != "" {
		parts = append(parts, "*Sentiment:* "+t.Sentiment.Label())
	}
	if t.CSAT != nil {
		parts = append(parts, "*Rating:* "+ratingText(*t.CSAT))
	}
	return strings.Join(parts, " · ")
}

// urgencyMark is a coloured dot for urgencies that need attention.
func urgencyMark(u tickets.Urgency) string {
	switch u {
	case tickets.UrgencyUrgent:
		return ":red_circle: "
	case tickets.UrgencyHigh:
		return ":large_orange_circle: "
	}
	return ""
}

// ratingText is a CSAT as stars and its comment: ★★★★☆ 4/5 “fast”.
func ratingText(c tickets.CSAT) string {
	r := min(max(c.Rating, 0), 5)
	s := strings.Repeat("★", r) + strings.Repeat("☆", 5-r) + " " + strconv.Itoa(c.Rating) + "/5"
	if c.Comment != "" {
		s += " “" + esc(clip(c.Comment, 300)) + "”"
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// detailsButton opens ticket id's details modal.
func detailsButton(id tickets.ID) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(ActionDetails, string(id), plainText("Details"))
}

// openDetails opens the details modal of the ticket the button names: on top of Live
// Chat Control when pressed there, else on its own.
func (b *Bot) openDetails(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) {
	t, err := b.tk.Get(ctx, tickets.ID(a.Value))
	if err != nil {
		b.log.Warn("ticket details", zap.String("ticket", a.Value), zap.Error(err))
		return
	}
	if why := b.workProblem(ctx, cb.User.ID, t, t.Team.ChannelID, t.Inbox); why != "" {
		b.refuse(ctx, cb, cb.Container.ChannelID, why)
		return
	}
	st, err := b.tk.Settings(ctx)
	if err != nil {
		b.log.Error("ticket details: settings", zap.Error(err))
		return
	}
	view := detailsView(t, st)
	if cb.View.ID != "" {
		_, err = b.api.PushViewContext(ctx, cb.TriggerID, view)
	} else {
		_, err = b.api.OpenViewContext(ctx, cb.TriggerID, view)
	}
	if err != nil {
		b.log.Error("open ticket details", zap.String("ticket", string(t.ID)), zap.Error(err))
	}
}

// detailsView is the modal that edits t's title, urgency, tags and categories. Its
// private metadata is the ticket id, then the categories' names, one per line, in the
// order of their blocks.
func detailsView(t *tickets.Ticket, st *tickets.Settings) slack.ModalViewRequest {
	title := slack.NewPlainTextInputBlockElement(plainText("What the chat is about"), inputAction)
	title.InitialValue = t.Title
	title.MaxLength = tickets.MaxTitleBytes
	unset := slack.NewOptionBlockObject(optUnset, plainText("Not set"), nil)
	urgencies := []*slack.OptionBlockObject{unset}
	for _, u := range tickets.Urgencies {
		urgencies = append(urgencies, slack.NewOptionBlockObject(string(u), plainText(u.Label()), nil))
	}
	urgency := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Not set"), inputAction, urgencies...)
	urgency.InitialOption = unset
	for _, o := range urgencies {
		if o.Value == string(t.Urgency) {
			urgency.InitialOption = o
		}
	}
	tags := slack.NewPlainTextInputBlockElement(plainText("billing, vip"), inputAction)
	tags.InitialValue = strings.Join(t.Tags, ", ")
	tags.MaxLength = tickets.MaxTags * (tickets.MaxTagBytes + 2)
	blocks := []slack.Block{
		slack.NewSectionBlock(md(clip("*Ticket "+esc(ticketTitle(t))+"*", maxSectionText)), nil, nil),
		slack.NewInputBlock(blockTitle, plainText("Title"), nil, title).WithOptional(true),
		slack.NewInputBlock(blockUrgency, plainText("Urgency"), nil, urgency),
		slack.NewInputBlock(blockTags, plainText("Tags"), plainText("Separated by commas."), tags).WithOptional(true),
	}
	meta := []string{string(t.ID)}
	for i, c := range st.Categories {
		opts := []*slack.OptionBlockObject{slack.NewOptionBlockObject(optUnset, plainText("Not set"), nil)}
		for _, v := range c.Values {
			opts = append(opts, slack.NewOptionBlockObject(v, plainText(clip(v, 75)), nil))
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Not set"), inputAction, opts...)
		sel.InitialOption = opts[0]
		for _, o := range opts {
			if o.Value == t.Categories[c.Name] {
				sel.InitialOption = o
			}
		}
		blocks = append(blocks, slack.NewInputBlock(categoryBlock+strconv.Itoa(i), plainText(clip(c.Name, 150)), nil, sel))
		meta = append(meta, c.Name)
	}
	if ai := aiLine(t); ai != "" {
		blocks = append(blocks, slack.NewContextBlock("", md(clip(ai, maxSectionText))))
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: ViewDetails, Title: plainText("Ticket details"),
		Submit: plainText("Save"), Close: plainText("Cancel"),
		PrivateMetadata: strings.Join(meta, "\n"),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// aiLine shows what AI suggested that is not edited here: sentiment, summary, AI tags.
func aiLine(t *tickets.Ticket) string {
	var parts []string
	if t.Sentiment != "" {
		parts = append(parts, "Sentiment: "+t.Sentiment.Label())
	}
	if len(t.AITags) > 0 {
		parts = append(parts, "AI tags: "+esc(strings.Join(t.AITags, ", ")))
	}
	if t.Summary != "" {
		parts = append(parts, "Summary: "+esc(clip(t.Summary, 1000)))
	}
	return strings.Join(parts, "\n")
}

// submitDetails saves the details modal. A value the ticket cannot take comes back on its
// field; the modal closes once saved (the card changes with it).
func (b *Bot) submitDetails(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	meta := strings.Split(cb.View.PrivateMetadata, "\n")
	id := tickets.ID(meta[0])
	values := viewValues(&cb.View)
	title := strings.TrimSpace(values[blockTitle][inputAction].Value)
	urgency := tickets.Urgency(values[blockUrgency][inputAction].SelectedOption.Value)
	if urgency == optUnset {
		urgency = ""
	}
	tags := strings.Split(values[blockTags][inputAction].Value, ",")
	change := tickets.DetailsChange{Title: &title, Urgency: &urgency, Tags: &tags, Categories: map[string]string{}}
	blockOf := map[string]string{}
	for i, name := range meta[1:] {
		block := categoryBlock + strconv.Itoa(i)
		v := values[block][inputAction].SelectedOption.Value
		if v == optUnset {
			v = ""
		}
		change.Categories[name] = v
		blockOf[strings.ToLower(tickets.FieldCategoryPrefix+name)] = block
	}
	t, err := b.tk.Get(ctx, id)
	if errors.Is(err, tickets.ErrNotFound) {
		return fieldError(blockTitle, "This ticket no longer exists.")
	}
	if err == nil {
		if why := b.workProblem(ctx, cb.User.ID, t, t.Team.ChannelID, t.Inbox); why != "" {
			return fieldError(blockTitle, why)
		}
		_, err = b.tk.UpdateDetails(ctx, id, b.users.agent(ctx, cb.User.ID), change)
	}
	if err == nil {
		b.log.Info("ticket details saved", zap.String("ticket", string(id)), zap.String("by", cb.User.ID))
		return nil
	}
	if fe, ok := tickets.AsFieldError(err); ok {
		block := map[string]string{tickets.FieldTitle: blockTitle, tickets.FieldUrgency: blockUrgency, tickets.FieldTags: blockTags}[fe.Field]
		if block == "" {
			block = blockOf[strings.ToLower(fe.Field)]
		}
		if block == "" {
			block = blockTitle
		}
		msg := fe.Msg
		if strings.HasPrefix(fe.Field, tickets.FieldCategoryPrefix) {
			msg = "This value is no longer allowed (an admin changed the categories): " + msg
		}
		return fieldError(block, clip(msg, 300))
	}
	if errors.Is(err, tickets.ErrNotFound) {
		return fieldError(blockTitle, "This ticket no longer exists.")
	}
	b.log.Error("save ticket details", zap.String("ticket", string(id)), zap.Error(err))
	return fieldError(blockTitle, "The details could not be saved just now; please try again.")
}
