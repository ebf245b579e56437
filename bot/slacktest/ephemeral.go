package slacktest

import (
	"encoding/json"
	"slices"
	"strings"
)

// Ephemeral is a message only one user sees (chat.postEphemeral). Slack does not keep
// it, so it is a snapshot.
type Ephemeral struct {
	Channel  *Channel
	User     *User
	TS       string // the message_ts chat.postEphemeral answered
	ThreadTS string
	Text     string
	blocks   blockSet
}

// Blocks is the ephemeral's blocks as JSON (null if none).
func (e *Ephemeral) Blocks() json.RawMessage { return slices.Clone(e.blocks.raw) }

// Buttons lists the visible texts of the ephemeral's buttons.
func (e *Ephemeral) Buttons() []string { return e.blocks.buttonTexts() }

func (e *Ephemeral) searchText() string {
	return strings.Join(append([]string{e.Text}, e.blocks.texts()...), "\n")
}
