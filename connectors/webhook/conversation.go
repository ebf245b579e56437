package webhook

import (
	"errors"
	"net/url"
	"strings"
)

// maxConversationBytes is the longest conversation id the tickets domain accepts.
const maxConversationBytes = 256

// conversationID names a chatbot conversation in tickets: app, channel and member, each
// url.PathEscape'd (so none of them holds a '/' any more) and joined by '/'. Escaping
// makes the id unambiguous ("a/b" + "c" and "a" + "b/c" differ) and parseConversationID
// turns it back into the three ids for outbound events.
func conversationID(app, channel, member string) string {
	return url.PathEscape(app) + "/" + url.PathEscape(channel) + "/" + url.PathEscape(member)
}

var errConversation = errors.New("webhook: not a webhook conversation id")

// parseConversationID reverses conversationID.
func parseConversationID(id string) (app, channel, member string, err error) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return "", "", "", errConversation
	}
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil || s == "" {
			return "", "", "", errConversation
		}
		parts[i] = s
	}
	return parts[0], parts[1], parts[2], nil
}

// memberKey names a member of an app, for rate limiting (a member may chat on several
// channels; the limit is theirs, not each conversation's).
func memberKey(app, member string) string {
	return url.PathEscape(app) + "/" + url.PathEscape(member)
}
