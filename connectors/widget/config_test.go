package widget

import (
	"fmt"
	"strings"
	"testing"
)

func TestConfig(t *testing.T) {
	secret := strings.Repeat("s", 32)
	good := Config{Secret: secret, AllowedOrigins: []string{"https://www.example.com", "http://localhost:3000"}}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	for name, c := range map[string]Config{
		"short secret":   {Secret: "short", AllowedOrigins: good.AllowedOrigins},
		"no origins":     {Secret: secret},
		"origin path":    {Secret: secret, AllowedOrigins: []string{"https://example.com/"}},
		"origin upper":   {Secret: secret, AllowedOrigins: []string{"https://Example.com"}},
		"origin scheme":  {Secret: secret, AllowedOrigins: []string{"ftp://example.com"}},
		"origin star":    {Secret: secret, AllowedOrigins: []string{"*"}},
		"color":          {Secret: secret, AllowedOrigins: good.AllowedOrigins, Color: "red"},
		"color script":   {Secret: secret, AllowedOrigins: good.AllowedOrigins, Color: "#fff;}</style>"},
		"title too long": {Secret: secret, AllowedOrigins: good.AllowedOrigins, Title: strings.Repeat("t", 81)},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate = nil", name)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the secret", name)
		}
	}
	for _, s := range []string{good.String(), fmt.Sprint(good), fmt.Sprintf("%+v", good), fmt.Sprintf("%#v", good)} {
		if strings.Contains(s, secret) || !strings.Contains(s, "redacted") {
			t.Errorf("the config prints as %q", s)
		}
	}
}
