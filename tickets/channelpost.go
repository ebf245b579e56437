package tickets

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SourceSlack is the source of the tickets customer channels open
// (Settings.CustomerChannels): each one's conversation is a Slack thread, its id
// "<channel>/<ts of the thread's first message>" (ChannelConversation).
const SourceSlack = "slack"

// ChannelConversation is the conversation id of the thread whose first message is ts in
// channel.
func ChannelConversation(channel, ts string) string { return channel + "/" + ts }

// SplitChannelConversation is ChannelConversation's channel and ts; ok is false when id
// is not one.
func SplitChannelConversation(id string) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(id, "/")
	return channel, ts, ok && channel != "" && ts != ""
}

// ChannelPost is a message written in a customer channel, as the Slack adapter read it.
type ChannelPost struct {
	Channel string
	// TS is the message's ts, its id in the channel; ThreadTS the ts of the first message
	// of the thread it answers in, "" for a top-level message.
	TS, ThreadTS string
	// Requester is who wrote it when they are the asking side: a person of the customer's
	// organisation in a shared channel, anyone but the team's agents in an internal one.
	// Nil for one of the team's agents.
	Requester *Customer
	// Agent is who wrote it when Requester is nil.
	Agent       Agent
	Text        string
	Attachments []Attachment
	At          time.Time
	// Ask: someone asked for a ticket for this message (a 🎫 reaction, the Create ticket
	// shortcut): it opens one even when it is a greeting or answers a thread that is none.
	Ask bool
	// Replay: the message was read back from the channel's history (a catch-up after
	// events may have been lost): taken before, it is not taken again (IgnoredTaken).
	Replay bool
}

// ChannelOutcome is what came of a ChannelPost.
type ChannelOutcome struct {
	// State is the ticket the post went to (zero when Ignored).
	State TicketState
	// Opened: the post opened State's ticket (or reopened it: Reopened).
	Opened, Reopened bool
	// Added: the post was added to the open ticket State.
	Added bool
	// Rated: the post was the requester's rating (1 to 5) of their request just ended.
	Rated bool
	// Ignored says why nothing came of it: a greeting alone, a reply in a thread that is
	// no request, an agent's message.
	Ignored string
}

// Why a channel post opens nothing.
const (
	IgnoredGreeting = "a greeting or thanks alone opens no ticket"
	IgnoredThread   = "a reply in a thread that is no request"
	IgnoredAgent    = "an agent's message in the channel"
	IgnoredTaken    = "taken already"
	IgnoredBefore   = "read back, written before its request closed"
)

// Notes the customer channels keep (Store.Note).
const (
	// noteGrouping: per channel and requester ("<channel>/<user>"), the request their
	// last top-level message went to and when ("<conversation> <unix ms>").
	noteGrouping = "slack-grouping"
	// noteThread: per top-level message taken ("<channel>/<ts>"), the conversation of
	// the request it opened or joined: replies in its thread join that request, and the
	// message, should Slack send it again, goes there again.
	noteThread = "slack-thread"
	// noteTaken: per message taken ("<channel>/<ts>"), whatever came of it: a catch-up
	// that reads it back from history (ChannelPost.Replay) leaves it.
	noteTaken = "slack-taken"
	// noteLast: per customer channel, the ts of the latest message taken live; and
	// noteCaughtUp, the ts up to which a catch-up read it last: a catch-up reads history
	// from there at the latest (CatchUpFrom).
	noteLast     = "slack-last"
	noteCaughtUp = "slack-caught-up"
	// noteCard: per card of a request answered in its thread ("<channel>/<ts>"), the
	// ticket: replies under the card are its notes.
	noteCard = "slack-card"
	// threadNoteTTL is how long a joined message's thread leads to its request.
	threadNoteTTL = 90 * 24 * time.Hour
	// takenNoteTTL is how long a message is known as taken: longer than any catch-up
	// reads back (MaxCatchUp).
	takenNoteTTL = 2 * MaxCatchUp
	// channelNoteTTL is how long a channel's noteLast and noteCaughtUp are kept: longer
	// than any channel stays quiet.
	channelNoteTTL = 400 * 24 * time.Hour
)

// CustomerChannel is the customer channel whose id is channel, if it is one, as the
// settings were read at most a second ago: cheap enough to ask for every message.
func (s *Service) CustomerChannel(ctx context.Context, channel string) (CustomerChannel, bool, error) {
	st, err := s.recentSettings(ctx)
	if err != nil {
		return CustomerChannel{}, false, err
	}
	c, ok := st.CustomerChannelOf(channel)
	return c, ok, nil
}

// ChannelPost takes a message written in a customer channel. A requester's top-level
// message opens a ticket (unless it is a greeting or thanks alone: Greeting), or joins
// the one their last top-level message went to when that was within the channel's
// grouping window; a reply in a request's thread joins its ticket (reopening it, within
// the team's reopen window, or opening a new one for the thread when it is closed); a
// reply in another thread is no request. Returns ErrNotFound when p.Channel is no
// customer channel, ErrInvalid for a message without text or files.
//
// A message taken is noted so (and, taken live, as the channel's latest: CatchUpFrom),
// with the ticket it went to: Slack sending it again, or a catch-up reading it back from
// history (p.Replay), finds it taken (IgnoredTaken, State that ticket's), unless someone
// asks for a ticket for it (p.Ask).
func (s *Service) ChannelPost(ctx context.Context, p ChannelPost) (ChannelOutcome, error) {
	key := ChannelConversation(p.Channel, p.TS)
	if !p.Ask {
		if went, taken, err := s.store.Noted(ctx, noteTaken, key); err != nil {
			return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", err)
		} else if taken {
			return s.takenBefore(ctx, went), nil
		}
	}
	out, err := s.channelPost(ctx, p)
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotFound) {
		// Nothing to take, and there will not be: read back, it is not asked again.
		if nerr := s.store.Note(ctx, noteTaken, key, notTicket, takenNoteTTL); nerr != nil {
			return out, fmt.Errorf("tickets: channel post: %w", nerr)
		}
		return out, err
	}
	if err != nil {
		return out, err
	}
	went := notTicket
	if out.State.ID != "" {
		went = string(out.State.ID)
	}
	if err := s.store.Note(ctx, noteTaken, key, went, takenNoteTTL); err != nil {
		return out, fmt.Errorf("tickets: channel post: %w", err)
	}
	if !p.Replay && !p.Ask { // one asked for may be old: the latest stays
		if err := s.store.Note(ctx, noteLast, p.Channel, p.TS, channelNoteTTL); err != nil {
			return out, fmt.Errorf("tickets: channel post: %w", err)
		}
	}
	return out, nil
}

// notTicket is what the note of a message taken says when it went to no ticket.
const notTicket = "-"

// takenBefore is the outcome of a message taken before, which went to ticket went.
func (s *Service) takenBefore(ctx context.Context, went string) ChannelOutcome {
	out := ChannelOutcome{Ignored: IgnoredTaken}
	if went != notTicket {
		if t, err := s.store.Get(ctx, ID(went)); err == nil {
			out.State = StateOf(t)
		}
	}
	return out
}

// channelPost is ChannelPost's work.
func (s *Service) channelPost(ctx context.Context, p ChannelPost) (ChannelOutcome, error) {
	st, err := s.recentSettings(ctx)
	if err != nil {
		return ChannelOutcome{}, err
	}
	cc, ok := st.CustomerChannelOf(p.Channel)
	if !ok {
		return ChannelOutcome{}, ErrNotFound
	}
	if p.Requester == nil {
		return s.channelAnswer(ctx, p)
	}
	if p.TS == "" || p.Requester.ID == "" {
		return ChannelOutcome{}, invalidf("a channel message needs its ts and its requester's id")
	}
	m := Message{Direction: FromCustomer, Text: p.Text, Attachments: p.Attachments, SourceMessageID: p.TS, At: p.At}
	if err := m.validate(); err != nil {
		return ChannelOutcome{}, err
	}
	team, _ := st.TeamByChannel(cc.Team)
	req := &Request{Customer: requester(*p.Requester, cc), Label: team.Label}
	if p.ThreadTS != "" && p.ThreadTS != p.TS {
		return s.channelReply(ctx, p, m, req)
	}
	// A message taken before (Slack sends an event again after a lost connection, an
	// hour later perhaps) goes where it went then, whatever came since.
	here := ChannelConversation(p.Channel, p.TS)
	if conv, found, err := s.store.Noted(ctx, noteThread, here); err != nil {
		return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", err)
	} else if found {
		out, err := s.channelAdd(ctx, conv, m)
		if !errors.Is(err, ErrNotFound) {
			return out, err
		}
		if before, err := s.writtenBeforeClose(ctx, conv, p); err != nil || before {
			return ChannelOutcome{Ignored: IgnoredBefore}, err
		}
		return s.channelOpen(ctx, conv, m, req) // closed since: it opens again, or anew
	}
	now := s.now()
	group := p.Channel + "/" + p.Requester.ID
	if conv, ok := s.grouped(ctx, group, cc, now); ok {
		out, err := s.join(ctx, here, group, conv, m, cc, now)
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return ChannelOutcome{}, err
		}
		// That request is closed: this one is new.
	}
	if !p.Ask && Greeting(p.Text, st.Greetings) && len(p.Attachments) == 0 {
		return ChannelOutcome{Ignored: IgnoredGreeting}, nil
	}
	conv := ChannelConversation(p.Channel, p.TS)
	mine := groupingNote(conv, now)
	kept, err := s.store.NoteFirst(ctx, noteGrouping, group, mine, cc.GroupingWindow())
	if err != nil {
		return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", err)
	}
	if kept != mine {
		// Another process took the requester's message just before this one.
		if other, at, ok := parseGroupingNote(kept); ok && now.Sub(at) <= cc.GroupingWindow() && other != conv {
			out, err := s.join(ctx, here, group, other, m, cc, now)
			if err == nil {
				return out, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return ChannelOutcome{}, err
			}
		}
		if err := s.store.Note(ctx, noteGrouping, group, mine, cc.GroupingWindow()); err != nil {
			return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", err)
		}
	}
	if err := s.store.Note(ctx, noteThread, here, conv, threadNoteTTL); err != nil {
		return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", err)
	}
	return s.channelOpen(ctx, conv, m, req)
}

// channelAnswer takes agent p.Agent's message p: in a request's thread it is the
// ticket's agent message (its first response, the answer to the customer's message
// waiting), already where the customer reads it; elsewhere (top-level, in a thread that is
// no open request) it is no answer.
func (s *Service) channelAnswer(ctx context.Context, p ChannelPost) (ChannelOutcome, error) {
	if p.ThreadTS == "" || p.ThreadTS == p.TS || p.Agent.ID == "" {
		return ChannelOutcome{Ignored: IgnoredAgent}, nil
	}
	m := Message{Direction: FromAgent, Author: p.Agent, Text: p.Text, Attachments: p.Attachments, SourceMessageID: p.TS, At: p.At}
	if err := m.validate(); err != nil {
		return ChannelOutcome{}, err
	}
	s.stamp(&m)
	conv, err := s.threadConversation(ctx, p.Channel, p.ThreadTS)
	if err != nil {
		return ChannelOutcome{}, err
	}
	got, err := s.store.Inbound(ctx, InboundWrite{Source: SourceSlack, ConversationID: conv, Messages: []Message{m}})
	if errors.Is(err, ErrNotFound) {
		return ChannelOutcome{Ignored: IgnoredAgent}, nil
	}
	if err != nil {
		return ChannelOutcome{}, wrap("channel answer", err)
	}
	added := len(got.Added) == 1 && got.Added[0]
	if added {
		s.obs.MessageRelayed(SourceSlack, FromAgent)
	}
	return ChannelOutcome{State: got.State, Added: added}, nil
}

// threadConversation is the conversation of the request whose thread in channel begins
// at ts: its own, or, for a message that joined another's request, that one's.
func (s *Service) threadConversation(ctx context.Context, channel, ts string) (string, error) {
	conv := ChannelConversation(channel, ts)
	joined, found, err := s.store.Noted(ctx, noteThread, conv)
	if err != nil {
		return "", fmt.Errorf("tickets: channel thread: %w", err)
	}
	if found {
		return joined, nil
	}
	return conv, nil
}

// CardReply takes m, a reply under the card whose message is ts in ticketing channel
// channel, by agent m.Author: for a request answered in its customer channel's thread
// (Ticket.InThread), the card's thread is where the team talks it over, so m is the
// ticket's internal note (Internal). It returns the ticket it went to, and whether m is
// new to it. Returns ErrNotFound when that card is no such request's.
func (s *Service) CardReply(ctx context.Context, channel, ts string, m Message) (TicketState, bool, error) {
	id, found, err := s.store.Noted(ctx, noteCard, channel+"/"+ts)
	if err != nil {
		return TicketState{}, false, fmt.Errorf("tickets: card reply: %w", err)
	}
	if !found {
		return TicketState{}, false, ErrNotFound
	}
	t, err := s.store.Get(ctx, ID(id))
	if err != nil {
		return TicketState{}, false, err
	}
	m.Direction = Internal
	if err := m.validate(); err != nil {
		return TicketState{}, false, err
	}
	s.stamp(&m)
	got, err := s.store.Inbound(ctx, InboundWrite{Source: SourceSlack, ConversationID: t.ConversationID, Messages: []Message{m}})
	if err != nil {
		return TicketState{}, false, wrap("card reply", err) // a closed request's notes: ErrNotFound
	}
	return got.State, len(got.Added) == 1 && got.Added[0], nil
}

// ChannelChange takes c, an edit or a deletion of message c.SourceMessageID (a ts) in
// customer channel channel, in the thread beginning at threadTS ("" : top-level, or not
// known), or under the card of such a request (a note; channel is then the ticketing
// channel): the request's transcript gets the message as it now is, the customer's, the
// agent's or the note (c.Direction is found here). Nothing is told anyone: the thread
// shows it already. Returns ErrNotFound when the message is no request's.
func (s *Service) ChannelChange(ctx context.Context, channel, threadTS string, c MessageChange) (ChangeApplied, error) {
	c.Direction = FromCustomer
	if err := c.validateChange(); err != nil {
		return ChangeApplied{}, err
	}
	t, onCard, err := s.channelTicket(ctx, channel, c.SourceMessageID, threadTS)
	if err != nil {
		return ChangeApplied{}, err
	}
	if !t.InThread() {
		return ChangeApplied{}, ErrNotFound
	}
	// Under the card, a note; in the request's thread, the requester's or an agent's
	// message (the store finds it by its ts and the side it is on).
	sides := []Direction{FromCustomer, FromAgent}
	if onCard {
		sides = []Direction{Internal}
	}
	for _, d := range sides {
		c.Direction = d
		got, err := s.store.ChangeMessage(ctx, t.ID, c, s.now())
		if !errors.Is(err, ErrNotFound) {
			return got, wrap("channel change", err)
		}
	}
	return ChangeApplied{}, ErrNotFound
}

// ChannelTicket is the ticket of the request whose thread in customer channel channel
// has the message ts (its first message or a reply; threadTS is the thread's first
// message's ts, "" when ts begins it), or whose card (or a reply under it) that message
// is: the open one, or else the latest closed. Returns ErrNotFound when the message is
// neither.
func (s *Service) ChannelTicket(ctx context.Context, channel, ts, threadTS string) (*Ticket, error) {
	t, _, err := s.channelTicket(ctx, channel, ts, threadTS)
	return t, err
}

// channelTicket is ChannelTicket, and whether the message is the card or under it.
func (s *Service) channelTicket(ctx context.Context, channel, ts, threadTS string) (_ *Ticket, onCard bool, _ error) {
	if threadTS == "" {
		threadTS = ts
	}
	if id, found, err := s.store.Noted(ctx, noteCard, channel+"/"+threadTS); err != nil {
		return nil, false, fmt.Errorf("tickets: channel ticket: %w", err)
	} else if found {
		t, err := s.store.Get(ctx, ID(id))
		return t, true, err
	}
	conv, err := s.threadConversation(ctx, channel, threadTS)
	if err != nil {
		return nil, false, err
	}
	t, err := s.store.FindOpen(ctx, SourceSlack, conv)
	if errors.Is(err, ErrNotFound) {
		t, err = s.store.FindLastClosed(ctx, SourceSlack, conv)
	}
	return t, false, err
}

// channelReply takes requester's reply p (m) in a thread.
func (s *Service) channelReply(ctx context.Context, p ChannelPost, m Message, req *Request) (ChannelOutcome, error) {
	conv, err := s.threadConversation(ctx, p.Channel, p.ThreadTS)
	if err != nil {
		return ChannelOutcome{}, err
	}
	out, err := s.channelAdd(ctx, conv, m)
	if !errors.Is(err, ErrNotFound) {
		return out, err
	}
	// No ticket is open for the thread: if it was a request, it opens again (or anew).
	if before, err := s.writtenBeforeClose(ctx, conv, p); err != nil || before {
		return ChannelOutcome{Ignored: IgnoredBefore}, err
	}
	if !p.Ask {
		if _, err := s.store.FindLastClosed(ctx, SourceSlack, conv); errors.Is(err, ErrNotFound) {
			return ChannelOutcome{Ignored: IgnoredThread}, nil
		} else if err != nil {
			return ChannelOutcome{}, fmt.Errorf("tickets: channel reply: %w", err)
		}
	}
	return s.channelOpen(ctx, conv, m, req)
}

// writtenBeforeClose reports whether p, read back from history (p.Replay), was written
// before the request of conversation conv closed: it was part of that request (taken by
// a version that noted nothing, say), and reopens nothing now.
func (s *Service) writtenBeforeClose(ctx context.Context, conv string, p ChannelPost) (bool, error) {
	if !p.Replay || p.At.IsZero() {
		return false, nil
	}
	last, err := s.store.FindLastClosed(ctx, SourceSlack, conv)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tickets: channel post: %w", err)
	}
	return p.At.Before(last.ClosedAt), nil
}

// channelAdd adds m to the open ticket of conversation conv: ErrNotFound when none is open.
func (s *Service) channelAdd(ctx context.Context, conv string, m Message) (ChannelOutcome, error) {
	res, err := s.Inbound(ctx, Inbound{Source: SourceSlack, ConversationID: conv, Messages: []Message{m}})
	if err != nil {
		return ChannelOutcome{}, err
	}
	return ChannelOutcome{State: res.State, Added: res.Added > 0}, nil
}

// channelOpen opens (or reopens) the ticket of conversation conv with m, as req says.
func (s *Service) channelOpen(ctx context.Context, conv string, m Message, req *Request) (ChannelOutcome, error) {
	res, err := s.Inbound(ctx, Inbound{Source: SourceSlack, ConversationID: conv, Request: req, Messages: []Message{m}})
	if err != nil {
		return ChannelOutcome{}, err
	}
	return ChannelOutcome{State: res.State, Opened: res.Opened || res.Reopened, Reopened: res.Reopened,
		Added: res.Added > 0 && !res.Opened, Rated: res.Rated}, nil
}

// grouped is the request the requester's last top-level message in the channel (group)
// went to, when that was within cc's grouping window of now.
func (s *Service) grouped(ctx context.Context, group string, cc CustomerChannel, now time.Time) (string, bool) {
	v, found, err := s.store.Noted(ctx, noteGrouping, group)
	if err != nil || !found {
		return "", false // unknown: the message opens a request of its own
	}
	conv, at, ok := parseGroupingNote(v)
	return conv, ok && now.Sub(at) <= cc.GroupingWindow()
}

// join adds top-level message m (here: its conversation were it a request of its own)
// to request conv of the requester's group, noted first, so that Slack sending it again,
// even after a crash in between, finds it goes there; then the grouping window runs again
// from now. ErrNotFound when conv's ticket is closed.
func (s *Service) join(ctx context.Context, here, group, conv string, m Message, cc CustomerChannel, now time.Time) (ChannelOutcome, error) {
	if err := s.store.Note(ctx, noteThread, here, conv, threadNoteTTL); err != nil {
		return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", err)
	}
	out, err := s.channelAdd(ctx, conv, m)
	if errors.Is(err, ErrNotFound) {
		// Closed meanwhile: the message is no part of it after all.
		if ferr := s.store.Note(ctx, noteThread, here, "", 0); ferr != nil {
			return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", ferr)
		}
	}
	if err != nil {
		return out, err
	}
	if err := s.store.Note(ctx, noteGrouping, group, groupingNote(conv, now), cc.GroupingWindow()); err != nil {
		return ChannelOutcome{}, fmt.Errorf("tickets: channel post: %w", err)
	}
	return out, nil
}

func groupingNote(conv string, at time.Time) string {
	return conv + " " + strconv.FormatInt(at.UnixMilli(), 10)
}

func parseGroupingNote(v string) (conv string, at time.Time, ok bool) {
	conv, ms, ok := strings.Cut(v, " ")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || conv == "" {
		return "", time.Time{}, false
	}
	return conv, time.UnixMilli(n), true
}

// requester is c with what the customer channel cc says of their organisation: its name
// and email domain (CustomerOrganisation, CustomerDomain), where cc names them.
func requester(c Customer, cc CustomerChannel) Customer {
	fields := make(map[string]string, len(c.Fields)+2)
	for k, v := range c.Fields {
		fields[k] = v
	}
	if cc.Customer != "" {
		fields[CustomerOrganisation] = cc.Customer
	}
	if cc.Domain != "" {
		fields[CustomerDomain] = strings.ToLower(cc.Domain)
	}
	c.Fields = fields
	return c
}
