package chatra

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// maxSourceIDBytes is the longest SourceMessageID the tickets domain accepts.
const maxSourceIDBytes = 256

// Message ids. Every message is relayed at most once per SourceMessageID (the ticket
// service drops a repeat), which is what makes a redelivered webhook harmless and lets a
// transcript fill only the gaps. Chatra's own message id is used: its webhooks carry one
// for each message (docs/chatra.md). For a payload without one a stable id is derived:
//
//	"h:" + hex(sha256(type + "\x00" + text + "\x00" + timestamp))[:20] + ":" + n
//
// where n is the occurrence of that hash among the chat's messages (1 for the first). The
// count keeps two equal messages apart (a visitor who writes "ok" twice must be heard
// twice), and counting in the chat rather than in one webhook makes a transcript derive
// the ids its fragments did, so reconciling adds only what is missing:
//
//   - in a chatStarted or a chatTranscript, which hold the chat from its start, n is the
//     message's position among equal messages of the webhook;
//   - in a chatFragment, which holds only new messages, a message with a timestamp is
//     told apart by it, so n is its position among equal messages of the fragment (and a
//     redelivered fragment derives the same ids); a message without one gets n after the
//     highest n of its hash the ticket's transcript already has. A redelivered fragment
//     of such messages is then relayed twice: without an id or a time, a repeat cannot be
//     told from the visitor saying the same thing again, and losing a message is worse.
//
// Only relayed messages are counted (not our own echoes, nor empty ones), on both sides.
// (An echo recognised by its id has an id, so it is never counted.)

// messageHash is the "h:<hash>" part of m's derived id.
func messageHash(m message) string {
	sum := sha256.Sum256([]byte(m.kind + "\x00" + m.text + "\x00" + m.at))
	return "h:" + hex.EncodeToString(sum[:])[:20]
}

// sourceIDs returns the SourceMessageID of each of msgs (the relayable messages of one
// webhook, in order). prior, when not nil, gives for a hash the highest n the ticket
// already has; it is asked only for messages without an id or a timestamp.
func sourceIDs(msgs []message, prior func(hash string) int) []string {
	ids := make([]string, len(msgs))
	seen := map[string]int{}
	for i, m := range msgs {
		if m.id != "" {
			ids[i] = chatraID(m.id)
			continue
		}
		h := messageHash(m)
		seen[h]++
		n := seen[h]
		if prior != nil && m.at == "" {
			n += prior(h)
		}
		ids[i] = h + ":" + strconv.Itoa(n)
	}
	return ids
}

// chatraID is Chatra's message id, hashed when too long to be a SourceMessageID.
func chatraID(id string) string {
	if len(id) <= maxSourceIDBytes {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "x:" + hex.EncodeToString(sum[:])
}

// highestN returns, for a list of SourceMessageIDs, a function giving the highest n of a
// hash among them (0 when none has it).
func highestN(sourceIDs []string) func(hash string) int {
	high := map[string]int{}
	for _, id := range sourceIDs {
		if !strings.HasPrefix(id, "h:") {
			continue
		}
		i := strings.LastIndexByte(id, ':')
		n, err := strconv.Atoi(id[i+1:])
		if err != nil || n < 1 {
			continue
		}
		if h := id[:i]; n > high[h] {
			high[h] = n
		}
	}
	return func(h string) int { return high[h] }
}
