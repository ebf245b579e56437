package tickets_test

import (
	"testing"

	. "github.com/frontdeskhq/frontdesk/tickets"
)

func TestGreeting(t *testing.T) {
	for text, want := range map[string]bool{
		"hi":                          true,
		"Hi!":                         true,
		"hello everyone :wave:":       true,
		"Thanks a lot, team 🙏":        true,
		"thank you so much":           true,
		"thanks for the help":         true,
		"ok thanks":                   true,
		"👍":                           true,
		":+1:":                        true,
		"<@U123> thanks!":             true,
		"Good morning all":            true,
		"hi, our export fails":        false,
		"thanks, but it still fails":  false,
		"help":                        false,
		"can you help?":               false,
		"hello? is anyone there":      false,
		"":                            false,
		"   ":                         false,
		"ok so the API returns a 500": false,
	} {
		if got := Greeting(text, nil); got != want {
			t.Errorf("Greeting(%q) = %v, want %v", text, got, want)
		}
	}
	// A list of one's own replaces the built-in one.
	if Greeting("hi", []string{"salut"}) || !Greeting("Salut tout le monde", []string{"salut tout le monde"}) {
		t.Error("a custom list is not what Greeting goes by")
	}
}

func TestSettings_CustomerChannels(t *testing.T) {
	base := func(cc ...CustomerChannel) Settings {
		return Settings{TicketingChannels: []Team{support, technical}, CustomerChannels: cc}
	}
	ok := base(CustomerChannel{Channel: "CACME", Team: support.ChannelID, Customer: "Acme", Domain: "Acme.com"},
		CustomerChannel{Channel: "GHELP", Team: technical.ChannelID})
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid customer channels refused: %v", err)
	}
	if c, found := ok.CustomerChannelOf("CACME"); !found || c.Customer != "Acme" || c.GroupingWindow() != DefaultGrouping {
		t.Errorf("CustomerChannelOf = %+v, %v", c, found)
	}
	for name, st := range map[string]Settings{
		"not a channel id":    base(CustomerChannel{Channel: "acme", Team: support.ChannelID}),
		"a ticketing channel": base(CustomerChannel{Channel: support.ChannelID, Team: technical.ChannelID}),
		"twice":               base(CustomerChannel{Channel: "CACME", Team: support.ChannelID}, CustomerChannel{Channel: "CACME", Team: technical.ChannelID}),
		"no such team":        base(CustomerChannel{Channel: "CACME", Team: "CNOPE"}),
		"a bad domain":        base(CustomerChannel{Channel: "CACME", Team: support.ChannelID, Domain: "someone@acme.com"}),
		"a negative grouping": base(CustomerChannel{Channel: "CACME", Team: support.ChannelID, Grouping: -1}),
		"an endless grouping": base(CustomerChannel{Channel: "CACME", Team: support.ChannelID, Grouping: MaxGrouping + 1}),
		"an empty greeting":   {TicketingChannels: []Team{support}, Greetings: []string{"!!"}},
	} {
		if err := st.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
