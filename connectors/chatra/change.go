package chatra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Agents' edits and deletions reach the visitor: Chatra's REST API changes a message's
// text with PUT /messages/{id} and removes it with DELETE /messages/{id} (docs/chatra.md;
// https://glama.ai/mcp/connectors/io.usefulapi/chatra/tools/chatra_edit_message and
// .../chatra_delete_message, summaries of https://chatra.com/help/api/).
// The Client keeps, for each message it sends, the ids Chatra gave its parts (a text
// longer than 5000 characters goes as several messages) in Notes, shared by every
// replica, for as long as echoes are known (sentFor). An edit changes each part in place;
// a text that now needs more parts sends the rest as new messages, one that needs fewer
// deletes the surplus. A deletion deletes every part. A part deleted stays noted, marked
// gone, so that a repeat of the deletion (an outbox retry) finds nothing left to do and a
// later edit that needs the part again sends it anew. A message whose ids are not known
// (sent before the ids were kept, or Chatra's answer named none) cannot change: the
// change fails for good, and the agent is told in Slack that the visitor still has it.

// Notes is memory every Frontdesk process shares (store.Redis implements it): Note keeps
// value for id in scope for ttl (an empty value forgets it), Noted reads it back.
type Notes interface {
	Note(ctx context.Context, scope, id, value string, ttl time.Duration) error
	Noted(ctx context.Context, scope, id string) (value string, found bool, err error)
}

// partsScope is the Notes scope of the Chatra ids of the parts of the messages sent.
const partsScope = "chatra-parts"

// maxParts bounds how many parts of one message are looked up: a message of
// tickets.MaxTextBytes goes in fewer.
const maxParts = 64

// partKey names part i of Frontdesk message msgID in partsScope.
func partKey(msgID string, i int) string { return msgID + "/" + strconv.Itoa(i) }

// ChangesMessages reports that agents' edits and deletions reach Chatra visitors: when
// the Client keeps its messages' ids (Notes).
func (c *Client) ChangesMessages() bool { return c.notes != nil }

// notePart keeps that part i of out's message is Chatra message id. Its failure is only
// logged: the message went out; only a later change of it will not reach the visitor.
func (c *Client) notePart(ctx context.Context, log *zap.Logger, out tickets.Outbound, i int, id string) {
	if c.notes == nil || out.Message == nil || out.Message.ID == "" || id == "" ||
		(out.Kind != tickets.OutMessage && out.Kind != tickets.OutEdited) {
		return
	}
	if err := c.notes.Note(ctx, partsScope, partKey(out.Message.ID, i), id, sentFor); err != nil {
		log.Warn("the Chatra id of a message sent was not kept: an agent's later change of it will not reach the visitor",
			zap.String("chatra_id", tickets.Clip(id, 64)), zap.Error(err))
	}
}

// gonePrefix marks a part's id as deleted in Chatra.
const gonePrefix = "gone\x00"

// part is one message in Chatra of a message Frontdesk sent.
type part struct {
	id   string
	gone bool // deleted in Chatra
}

// parts returns the parts of Frontdesk message msgID, in order.
func (c *Client) parts(ctx context.Context, msgID string) ([]part, error) {
	var ps []part
	for i := range maxParts {
		v, found, err := c.notes.Noted(ctx, partsScope, partKey(msgID, i))
		if err != nil {
			return nil, fmt.Errorf("chatra: the ids of a message sent: %w", err)
		}
		if !found {
			break
		}
		id, gone := strings.CutPrefix(v, gonePrefix)
		ps = append(ps, part{id: id, gone: gone})
	}
	return ps, nil
}

// errNotChanged is a change that cannot reach the visitor; wrapped in tickets.Permanent.
var errNotChanged = errors.New("the id Chatra gave this message is not known (it was sent more than 7 days ago, or Chatra named none)")

// change delivers an agent's edit (OutEdited) or deletion (OutDeleted) of a message sent
// before. Each step can be repeated: a PUT sets the same text again, a DELETE of a message
// gone is done, a part sent anew is kept before the next step.
func (c *Client) change(ctx context.Context, t *tickets.Ticket, out tickets.Outbound, key string) error {
	if c.notes == nil {
		return tickets.Permanent(errors.New("chatra: this Frontdesk does not keep Chatra's message ids, so it cannot change a message"))
	}
	if out.Message == nil || out.Message.ID == "" {
		return tickets.Permanent(fmt.Errorf("chatra: ticket %s: a change without its message", t.ID))
	}
	log := c.log.With(zap.String("kind", string(out.Kind)), zap.String("key", key), zap.Int64("ticket", t.Number))
	known, err := c.parts(ctx, out.Message.ID)
	if err != nil {
		return err
	}
	if len(known) == 0 {
		return tickets.Permanent(errNotChanged)
	}
	var parts []string
	if out.Kind == tickets.OutEdited {
		text := out.Text
		if text == "" {
			text = out.Message.Text
		}
		parts = textParts(tickets.WithLinks(text, out.Message.Attachments))
	}
	for i, p := range parts {
		if i >= len(known) || known[i].gone { // the text needs more messages than it had
			if err := c.send(ctx, log, t, out, i, p, len(parts)); err != nil {
				return err
			}
			continue
		}
		body, err := json.Marshal(editBody{Text: p})
		if err != nil {
			return tickets.Permanent(fmt.Errorf("chatra: encode edit: %w", err))
		}
		status, _, err := c.call(ctx, http.MethodPut, c.url+url.PathEscape(known[i].id), body)
		if status == http.StatusNotFound {
			return tickets.Permanent(errors.New("the message is no longer in Chatra"))
		}
		if err != nil {
			log.Debug("edit not delivered", zap.Int("part", i+1), zap.Int("status", status), zap.Error(err))
			return httpsrc.GiveUpAfter(err, out.At, c.now(), c.retryFor)
		}
	}
	// The parts no longer needed (all of them for a deletion) go.
	for i := len(parts); i < len(known); i++ {
		if known[i].gone {
			continue
		}
		status, _, err := c.call(ctx, http.MethodDelete, c.url+url.PathEscape(known[i].id), nil)
		if err != nil && status != http.StatusNotFound { // 404: gone already
			log.Debug("deletion not delivered", zap.Int("part", i+1), zap.Int("status", status), zap.Error(err))
			return httpsrc.GiveUpAfter(err, out.At, c.now(), c.retryFor)
		}
		if err := c.notes.Note(ctx, partsScope, partKey(out.Message.ID, i), gonePrefix+known[i].id, sentFor); err != nil {
			return fmt.Errorf("chatra: note a deleted part: %w", err)
		}
	}
	log.Debug("change delivered", zap.Int("parts", len(parts)), zap.Int("were", len(known)))
	return nil
}

// editBody is PUT /messages/{id}: the message's new text.
type editBody struct {
	Text string `json:"text"`
}
