package gladly

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// The ids of testdata/*.json and of the fake Gladly's data.
const (
	aiInbox      = "aI7nBx2QTeK4mWp9LzR3sA"
	handoffInbox = "hF3kQm8RTv2NxW5pJc7LdA"
	otherInbox   = "oX4nTq7LRm2KvW8pZc5HbA"
	botAgent     = "bT9xLq4WSe2KmN7vRz3pYA" // the API user's agent id
	humanAgent   = "hU5mRk2XQa8NwT3vLp9JcA"
	customerID   = "cM2vXq8RTn5KwL3pBz7JdA"
	convID       = "cV8nRq3XTm5LwK2pJz9HaA"
	firstItem    = "mS4kLq9XRv2NwT7pBc3ZeA" // contact_message_received.json
	olderItem    = "mR7pWx3KTq9LvN2zDc5HfA" // message_received.json
)

// Credentials and the rest of the test configuration.
const (
	testEmail   = "frontdesk-api@acme-bikes.example"
	testToken   = "gld_tok_4Xq9LmR2vT8pWz"
	testAccount = "acct_7Rm2XqL9vT4pNw8K"
	// testPrefix is the path the fake serves the API under: the client must build every
	// URL from its base, never from the host alone.
	testPrefix = "/gladly-proxy"
	topicA     = "tP2kRx7LQm4NwV9zBc3JdA"
	topicB     = "tQ8nWm3XRv5KwL2pCz7HeA"
)

// testConfig is a complete configuration for a fake Gladly at baseURL, with the
// defaults of the variables that have one but the SLA (off).
func testConfig(baseURL string) Config {
	return Config{
		BaseURL: baseURL, AgentEmail: testEmail, APIToken: testToken, AgentID: botAgent,
		AIInboxID: aiInbox, HandoffInboxID: handoffInbox, AccountID: testAccount,
		RetryFor: time.Hour,
	}
}

// testOptions are the Client's and the Processor's options for a fake Gladly at baseURL.
func testOptions(baseURL string) options {
	return options{
		Config:            testConfig(baseURL),
		requestsPerSecond: 1000, // pace_test.go tests the pacing at Gladly's own rate
	}
}

// testdata returns the contents of testdata/name.
func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edited returns testdata/name with fields set (a nil value deletes a field); a key
// "a.b.c" sets field c of object b of object a.
func edited(t *testing.T, name string, fields map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(testdata(t, name)), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		target := m
		path := strings.Split(k, ".")
		for _, p := range path[:len(path)-1] {
			next, _ := target[p].(map[string]any)
			if next == nil {
				next = map[string]any{}
				target[p] = next
			}
			target = next
		}
		if v == nil {
			delete(target, path[len(path)-1])
		} else {
			target[path[len(path)-1]] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
