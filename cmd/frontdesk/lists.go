package main

import (
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

var (
	userIDPattern    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	channelIDPattern = regexp.MustCompile(`^[CG][A-Z0-9]+$`)
)

// userIDs is a comma-separated list of Slack user ids (U024BE7LH,W0123ABC); it decodes
// itself for processEnv.
type userIDs []tickets.AgentID

// Decode implements envconfig.Decoder.
func (l *userIDs) Decode(value string) error {
	seen := map[string]bool{}
	for id := range items(value) {
		if !userIDPattern.MatchString(id) {
			return fmt.Errorf("%q is not a Slack user id (like U024BE7LH)", id)
		}
		if seen[id] {
			return fmt.Errorf("%s is listed twice", id)
		}
		seen[id] = true
		*l = append(*l, tickets.AgentID(id))
	}
	return nil
}

// teams is a comma-separated list of CHANNEL_ID=Label pairs
// (C123=Support Team,C456=Technical Team); it decodes itself for processEnv. A label
// cannot hold a comma.
type teams []tickets.Team

// Decode implements envconfig.Decoder.
func (l *teams) Decode(value string) error {
	for item := range items(value) {
		id, label, ok := strings.Cut(item, "=")
		id, label = strings.TrimSpace(id), strings.TrimSpace(label)
		if !ok || label == "" {
			return fmt.Errorf("%q is not CHANNEL_ID=Label", item)
		}
		if !channelIDPattern.MatchString(id) {
			return fmt.Errorf("%q is not a Slack channel id (like C024BE91L)", id)
		}
		*l = append(*l, tickets.Team{ChannelID: id, Label: label})
	}
	return nil
}

// customerChannels are CUSTOMER_CHANNELS, read as TICKETING_CHANNELS is (channel id =
// label, here the label of the team the channel's requests go to), each label turned into
// its team's ticketing channel among teams (labels compared without case).
func customerChannels(l teams, ticketing []tickets.Team) ([]tickets.CustomerChannel, error) {
	var out []tickets.CustomerChannel
	for _, c := range l {
		i := slices.IndexFunc(ticketing, func(t tickets.Team) bool { return strings.EqualFold(t.Label, c.Label) })
		if i < 0 {
			return nil, fmt.Errorf("%s goes to %q, which is no team of TICKETING_CHANNELS", c.ChannelID, c.Label)
		}
		out = append(out, tickets.CustomerChannel{Channel: c.ChannelID, Team: ticketing[i].ChannelID})
	}
	return out, nil
}

// items yields the non-empty, trimmed items of a comma-separated list.
func items(value string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for item := range strings.SplitSeq(value, ",") {
			if item = strings.TrimSpace(item); item != "" && !yield(item) {
				return
			}
		}
	}
}
