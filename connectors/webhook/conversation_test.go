package webhook

import "testing"

func TestConversationID(t *testing.T) {
	tests := []struct {
		app, channel, member string
		want                 string
	}{
		{"acme-bot", "whatsapp", "64f1c0ffee", "acme-bot/whatsapp/64f1c0ffee"},
		{"a/b", "c", "d", "a%2Fb/c/d"},
		{"a", "b/c", "d", "a/b%2Fc/d"},
		{"100%", "web chat", "ü@x", "100%25/web%20chat/%C3%BC@x"},
		{"%2F", "/", "//", "%252F/%2F/%2F%2F"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		got := conversationID(tt.app, tt.channel, tt.member)
		if got != tt.want {
			t.Errorf("conversationID(%q, %q, %q) = %q, want %q", tt.app, tt.channel, tt.member, got, tt.want)
		}
		if seen[got] {
			t.Errorf("conversationID(%q, %q, %q) = %q is not unique", tt.app, tt.channel, tt.member, got)
		}
		seen[got] = true
		app, channel, member, err := parseConversationID(got)
		if err != nil || app != tt.app || channel != tt.channel || member != tt.member {
			t.Errorf("parseConversationID(%q) = %q, %q, %q, %v", got, app, channel, member, err)
		}
	}
}

func TestParseConversationID_Invalid(t *testing.T) {
	for _, id := range []string{"", "a", "a/b", "a/b/c/d", "a//c", "a/%zz/c", "/b/c"} {
		if _, _, _, err := parseConversationID(id); err == nil {
			t.Errorf("parseConversationID(%q) succeeded", id)
		}
	}
}
