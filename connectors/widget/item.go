package widget

import (
	"time"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The kinds of feed items (item.Kind).
const (
	kindVisitor     = "visitor"     // the visitor's own message
	kindAccepted    = "accepted"    // an agent joined (tickets.OutAccepted)
	kindMessage     = "message"     // an agent's message
	kindTransferred = "transferred" // the chat waits in another team
	kindEnded       = "ended"       // the live chat is over; may ask for a rating
	kindHandedBack  = "handed_back" // the chat went to the source's own people
	kindRated       = "rated"       // the visitor rated the chat
	kindEdited      = "edited"      // an agent edited their message ID (Text: its new text)
	kindDeleted     = "deleted"     // an agent deleted their message ID
)

// item is what a visitor's feed holds, as JSON: the script renders each kind, always as
// text.
type item struct {
	Kind string `json:"kind"`
	// ID is the visitor's message id (kindVisitor) or the agent's message id (kindMessage,
	// and the message changed for kindEdited and kindDeleted).
	ID   string `json:"id,omitempty"`
	Text string `json:"text,omitempty"`
	// Agent is the agent's name, only when Settings.ShowAgentName is on.
	Agent       string       `json:"agent,omitempty"`
	Team        string       `json:"team,omitempty"`
	Attachments []attachment `json:"attachments,omitempty"`
	// RatingQuestion (kindEnded) asks for a rating of 1 to 5.
	RatingQuestion string    `json:"rating_question,omitempty"`
	Rating         int       `json:"rating,omitempty"`
	At             time.Time `json:"at"`
}

type attachment struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
	MIME string `json:"mime,omitempty"`
	Size int64  `json:"size,omitempty"`
}

// attachmentsOf is atts as a feed item shows them.
func attachmentsOf(atts []tickets.Attachment) []attachment {
	var out []attachment
	for _, a := range atts {
		out = append(out, attachment{URL: a.URL, Name: a.Name, MIME: a.MIME, Size: a.Size})
	}
	return out
}
