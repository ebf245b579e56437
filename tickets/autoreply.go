package tickets

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// autoReply acknowledges new ticket ev (EventOpened) to its customer, when the team it
// opened in has an automatic reply for the moment it opened: in its business hours, or
// outside them with {next_open} saying when they open again. It goes through the
// source like an agent's message (its key is the ticket's: once however often this is
// tried), but it is no message of the transcript and no response for the SLA clocks.
func (s *Service) autoReply(ctx context.Context, ev Event) error {
	st, err := s.recentSettings(ctx)
	if err != nil {
		return err
	}
	p, ok := st.SLAFor(ev.To.ChannelID)
	if !ok || p.AutoReply == (AutoReply{}) {
		return nil // told by the settings alone: the ticket is not read
	}
	t, err := s.ticketFor(ctx, ev)
	if err != nil {
		return err
	}
	text := p.AutoReply.InHours
	if !p.Hours.OpenAt(ev.At) {
		text = p.AutoReply.OutOfHours
		if next, ok := p.Hours.NextOpen(ev.At); ok {
			text = strings.ReplaceAll(text, "{next_open}", NextOpenText(next, ev.At, p.Hours.Zone, customerLanguage(t.Customer)))
		}
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	text = st.Render(text, t, Agent{})
	src, ok := s.sources[t.Source]
	if !ok {
		return Permanent(fmt.Errorf("ticket %s: %w %q", t.ID, ErrUnknownSource, t.Source))
	}
	m := &Message{ID: "auto-reply-" + string(t.ID), Direction: Notice, Text: text, At: ev.At}
	return s.deliver(ctx, src, t, Outbound{Kind: OutMessage, Text: text, Message: m, At: ev.At}, string(t.ID)+"/auto-reply")
}

// customerLanguage is the language the source says the customer speaks (a "language",
// "locale" or "lang" field: "de", "fr-FR"), as two letters; "" when it does not say.
func customerLanguage(c Customer) string {
	for _, k := range []string{"language", "locale", "lang"} {
		for field, v := range c.Fields {
			if strings.EqualFold(field, k) && len(v) >= 2 {
				return strings.ToLower(v[:2])
			}
		}
	}
	return ""
}

// nextOpenWords are, by language, the words NextOpenText uses: today, tomorrow, "at",
// and the weekdays from Sunday.
var nextOpenWords = map[string][10]string{
	"en": {"today", "tomorrow", "at", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	"de": {"heute", "morgen", "um", "Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
	"fr": {"aujourd'hui", "demain", "à", "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
	"es": {"hoy", "mañana", "a las", "domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
	"it": {"oggi", "domani", "alle", "domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
	"nl": {"vandaag", "morgen", "om", "zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
	"pt": {"hoje", "amanhã", "às", "domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
}

// NextOpenText says when next comes, seen from now, in zone (IANA; "" is UTC) and
// language lang (two letters; English when unknown): "today at 09:00", "tomorrow at
// 09:00", "Monday at 09:00", or "2026-12-28 at 09:00" beyond a week, followed by the zone
// ("(Europe/Berlin)").
func NextOpenText(next, now time.Time, zone, lang string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		loc, zone = time.UTC, "UTC"
	}
	w, ok := nextOpenWords[lang]
	if !ok {
		w = nextOpenWords["en"]
	}
	next, now = next.In(loc), now.In(loc)
	days := int(dateOf(next).time(loc).Sub(dateOf(now).time(loc)).Round(24*time.Hour) / (24 * time.Hour))
	var day string
	switch {
	case days <= 0:
		day = w[0]
	case days == 1:
		day = w[1]
	case days < 7:
		day = w[3+int(next.Weekday())]
	default:
		day = next.Format(time.DateOnly)
	}
	return fmt.Sprintf("%s %s %s (%s)", day, w[2], next.Format("15:04"), zone)
}

// time is the start of d in loc.
func (d Date) time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}
