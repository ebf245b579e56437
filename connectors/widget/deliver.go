package widget

import (
	"context"
	"encoding/json"
	"fmt"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

var (
	_ tickets.Source        = (*Delivery)(nil)
	_ tickets.RatingCarrier = (*Delivery)(nil)
	_ tickets.Changer       = (*Delivery)(nil)
)

// Delivery is the widget's outbound side, the tickets.Source (and RatingCarrier) of widget
// tickets: it writes what the visitor should see into their feed. It needs nothing of the
// ticket service, so it is made before the service (which delivers through it), and the
// Widget, which hands visitors' chats to the service, after. It is safe for concurrent use.
type Delivery struct {
	feed Feed
	log  *zap.Logger
}

// NewDelivery returns the widget's outbound side, writing into feed.
func NewDelivery(feed Feed, log *zap.Logger) *Delivery {
	if log == nil {
		log = zap.NewNop()
	}
	return &Delivery{feed: feed, log: log.Named("widget")}
}

// CarriesRating: the widget asks for the rating with buttons of its own (the ended item's
// rating_question) and sends the answer to Service.Inbound. See tickets.RatingCarrier.
func (w *Delivery) CarriesRating() bool { return true }

// ChangesMessages: an agent's edit or deletion is a feed item of its own, which the script
// applies to the message it names, live and when the feed is read again after a reload.
// See tickets.Changer.
func (w *Delivery) ChangesMessages() bool { return true }

// Deliver appends out to the visitor's feed, once per key however often it is called,
// and every replica's websockets of that visitor show it at once. A ticket that is not a
// widget visitor's is a permanent error; a feed failure is transient.
func (w *Delivery) Deliver(ctx context.Context, t *tickets.Ticket, out tickets.Outbound, key string) error {
	if t == nil || key == "" {
		return tickets.Permanent(fmt.Errorf("widget: deliver needs a ticket and a key"))
	}
	visitor := t.ConversationID
	if !validVisitor(visitor) {
		return tickets.Permanent(fmt.Errorf("widget: ticket %s: conversation is not a visitor id", t.ID))
	}
	it, err := outboundItem(out)
	if err != nil {
		return tickets.Permanent(fmt.Errorf("widget: ticket %s: %w", t.ID, err))
	}
	data, err := json.Marshal(it)
	if err != nil {
		return tickets.Permanent(fmt.Errorf("widget: encode %s: %w", it.Kind, err))
	}
	seq, added, err := w.feed.Append(ctx, visitor, "o/"+key, data)
	if err != nil {
		return fmt.Errorf("widget: deliver %s: %w", it.Kind, err)
	}
	w.log.Debug("delivered", zap.String("kind", it.Kind), zap.Int64("ticket", t.Number),
		zap.String("seq", seq), zap.Bool("repeat", !added))
	return nil
}

// outboundItem is the feed item that shows out to the visitor.
func outboundItem(out tickets.Outbound) (item, error) {
	it := item{Text: out.Text, At: out.At}
	if out.Agent != nil {
		it.Agent = out.Agent.Name
	}
	switch out.Kind {
	case tickets.OutAccepted:
		it.Kind = kindAccepted
	case tickets.OutMessage:
		if out.Message == nil {
			return item{}, fmt.Errorf("an agent message without its message")
		}
		it.Kind, it.ID = kindMessage, out.Message.ID
		if it.Text == "" {
			it.Text = out.Message.Text
		}
		it.Attachments = attachmentsOf(out.Message.Attachments)
	case tickets.OutTransferred:
		it.Kind, it.Team, it.Agent = kindTransferred, out.Team.Label, ""
	case tickets.OutEnded:
		it.Kind, it.RatingQuestion = kindEnded, out.RatingQuestion
	case tickets.OutHandedBack:
		it.Kind = kindHandedBack
	case tickets.OutEdited, tickets.OutDeleted:
		if out.Message == nil {
			return item{}, fmt.Errorf("a change without its message")
		}
		it.Kind, it.ID, it.Text, it.Agent = kindEdited, out.Message.ID, out.Message.Text, ""
		if out.Kind == tickets.OutDeleted {
			it.Kind, it.Text = kindDeleted, ""
		}
	default:
		return item{}, fmt.Errorf("unknown outbound kind %q", out.Kind)
	}
	return it, nil
}
