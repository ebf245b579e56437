//go:build faults

package faults

import (
	"testing"

	"github.com/frontdeskhq/frontdesk/connectors/webhook/webhooktest"
)

const (
	hookToken  = "faults-chatbot-token-0123456789"
	hookSecret = "faults-signing-secret-0123456789"
	hookApp    = "faults-bot"
	hookLine   = "faults-line"
)

// newChatbot starts the chatbot's callback endpoint (webhooktest): it checks every
// signature as docs/webhook.md says, records every attempt, and answers 200 unless
// FailWith says otherwise. The scenario's checks read its Problems.
func newChatbot(t *testing.T) *webhooktest.Chatbot {
	bot := webhooktest.New(hookSecret)
	t.Cleanup(bot.Close)
	return bot
}
