package tickets_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

// calls records side-effect calls as readable lines, e.g. "desk.PostCard 1 C1 ev1".
type calls struct {
	mu    sync.Mutex
	lines []string
	// fail makes the next call whose line starts with the key fail with the value.
	fail map[string]error
}

func (c *calls) add(format string, args ...any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	line := fmt.Sprintf(format, args...)
	for prefix, err := range c.fail {
		if strings.HasPrefix(line, prefix) {
			delete(c.fail, prefix)
			return err
		}
	}
	c.lines = append(c.lines, line)
	return nil
}

func (c *calls) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.lines
	c.lines = nil
	return l
}

type fakeDesk struct {
	*calls
	nextTS int
}

var _ Desk = (*fakeDesk)(nil)

func (d *fakeDesk) PostCard(_ context.Context, t *Ticket, team Team, notify []AgentID, key string) (Card, error) {
	if err := d.add("desk.PostCard %s %s %v %s", t.ID, team.ChannelID, notify, key); err != nil {
		return Card{}, err
	}
	d.nextTS++
	return Card{Channel: team.ChannelID, TS: fmt.Sprintf("ts%d", d.nextTS)}, nil
}

func (d *fakeDesk) UpdateCard(_ context.Context, t *Ticket, c Card, key string) error {
	return d.add("desk.UpdateCard %s %s/%s %s %s", t.ID, c.Channel, c.TS, t.Status, key)
}

func (d *fakeDesk) OpenInbox(ctx context.Context, t *Ticket, members []AgentID, intro bool, created func(context.Context, string) error, key string) (Card, error) {
	c := Card{Channel: t.Inbox}
	if c.Channel == "" {
		c.Channel = "G" + string(t.ID)
		if err := created(ctx, c.Channel); err != nil {
			return Card{}, err
		}
	}
	if intro {
		c.TS = "1.000"
	}
	return c, d.add("desk.OpenInbox %s %s %v %s", t.ID, c.Channel, members, key)
}

func (d *fakeDesk) PostHistory(_ context.Context, t *Ticket, under Card, key string) error {
	if len(t.History) == 0 {
		return nil // as the Slack desk: nothing to post, no call
	}
	return d.add("desk.PostHistory %s %s/%s %d %s", t.ID, under.Channel, under.TS, len(t.History), key)
}

func (d *fakeDesk) ShareFiles(_ context.Context, t *Ticket, m Message, under Card, key string) error {
	if !slices.ContainsFunc(m.Attachments, func(a Attachment) bool { return a.Upload }) {
		return nil // as the Slack desk: nothing to share, no call
	}
	return d.add("desk.ShareFiles %s %s/%s %q %s", t.ID, under.Channel, under.TS, m.Text, key)
}

func (d *fakeDesk) ShowChange(_ context.Context, t *Ticket, m Message, key string) error {
	return d.add("desk.ShowChange %s %q deleted=%v %s", t.ID, m.Text, m.Deleted, key)
}

func (d *fakeDesk) Post(_ context.Context, t *Ticket, m Message, place Place, key string) error {
	return d.add("desk.Post %s %s %q %s", t.ID, place, m.Text, key)
}

func (d *fakeDesk) Notice(_ context.Context, t *Ticket, ev Event, key string) error {
	return d.add("desk.Notice %s %s %s", t.ID, ev.Type, key)
}

func (d *fakeDesk) ArchiveInbox(_ context.Context, t *Ticket, key string) error {
	return d.add("desk.ArchiveInbox %s %s %s", t.ID, t.Inbox, key)
}

func (d *fakeDesk) Remind(_ context.Context, t *Ticket, c Card, key string) error {
	return d.add("desk.Remind %s %s/%s %s", t.ID, c.Channel, c.TS, key)
}

func (d *fakeDesk) Warn(_ context.Context, t *Ticket, ev Event, key string) error {
	return d.add("desk.Warn %s %s %q %s", t.ID, ev.Failed, ev.Reason, key)
}

func (d *fakeDesk) MarkDelivery(_ context.Context, id ID, inbox string, ev Event, key string) error {
	return d.add("desk.MarkDelivery %s %s %s %q %s", id, inbox, ev.Type, ev.Message.Text, key)
}

type fakeSource struct{ *calls }

var _ Source = fakeSource{}

// fakeChanger is a source that can change a message the customer has (Changer).
type fakeChanger struct{ fakeSource }

func (fakeChanger) ChangesMessages() bool { return true }

func (s fakeSource) Deliver(_ context.Context, t *Ticket, out Outbound, key string) error {
	text := out.Text
	if out.Kind == OutTransferred {
		text = out.Team.Label
	}
	if out.Agent != nil {
		text += " (by " + out.Agent.Name + ")"
	}
	if out.Unreact != "" {
		key += " -:" + out.Unreact + ":"
	}
	if out.React != "" {
		key += " +:" + out.React + ":"
	}
	return s.add("source.Deliver %s %s %q %s", t.ID, out.Kind, text, key)
}

// handBackSource is a source that can also take chats back.
type handBackSource struct{ fakeSource }

func (handBackSource) TakesChatsBack() bool { return true }

// slaSource hands back chats no one picked within after.
type slaSource struct {
	handBackSource
	after time.Duration
}

func (s slaSource) HandBackAfter() time.Duration { return s.after }

type fakeSink struct {
	*calls
	name string
}

func (s fakeSink) Name() string { return s.name }
func (s fakeSink) TicketChanged(_ context.Context, t *Ticket, ev Event, key string) error {
	return s.add("sink.%s %s %s %s", s.name, t.ID, ev.Type, key)
}

func (d *fakeDesk) AlertSLA(_ context.Context, t *Ticket, a SLAAlert, key string) error {
	return d.add("desk.AlertSLA %s %s breach=%v notify=%v escalate=%q %s", t.ID, a.Clock.Kind, a.Breach, a.Notify, a.Escalation, key)
}

func (d *fakeDesk) ShowStatus(_ context.Context, t *Ticket, c StatusChange, key string) error {
	return d.add("desk.ShowStatus %s %s→%s cause=%q %s", t.ID, c.From, c.To, c.Cause, key)
}
