package tickets

import (
	"context"
	"errors"
	"strings"
)

// ParseRating reads a customer's reply to the rating question: a number from 1 to 5
// ("4", "4/5") or that many stars ("⭐⭐⭐⭐"). Anything else is not a rating.
func ParseRating(text string) (int, bool) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "."))
	s = strings.TrimSpace(strings.TrimSuffix(s, "/5"))
	if len(s) == 1 && s[0] >= '1' && s[0] <= '5' {
		return int(s[0] - '0'), true
	}
	n := 0
	for _, r := range s {
		switch r {
		case '⭐', '★':
			n++
		case '\uFE0F', ' ': // emoji presentation selector, spaces between stars
		default:
			return 0, false
		}
	}
	return n, n >= 1 && n <= 5
}

// rateByReply takes a new request whose first message is a rating as the rating of the
// conversation's last chat, when that chat was ended by an agent within the rating window
// and no chat is open: it records the CSAT (replacing an earlier one, so a repeat is
// harmless) and returns that ticket. Otherwise it returns nil, nil and the request opens
// a ticket as usual. In a customer channel's thread (Ticket.InThread), where others may
// reply too, only the requester's (customer) reply is their rating.
func (s *Service) rateByReply(ctx context.Context, source, conversationID, customer string, rating int) (*Ticket, error) {
	if _, err := s.store.FindOpen(ctx, source, conversationID); !errors.Is(err, ErrNotFound) {
		return nil, err // open (nil error): a message of the chat; or a failure
	}
	last, err := s.store.FindLastClosed(ctx, source, conversationID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if last.BySource || last.HandedBack || last.ClosedBy.ID == "" || s.now().Sub(last.ClosedAt) > s.rating ||
		last.InThread() && last.Customer.ID != customer {
		return nil, nil
	}
	c := CSAT{Rating: rating, At: s.now()}
	if err := s.store.Rate(ctx, last.ID, c); err != nil {
		return nil, err
	}
	last.CSAT = &c
	return last, nil
}
