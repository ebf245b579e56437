package gladly

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/frontdeskhq/frontdesk/connectors/gladly/gladlytest"
	"github.com/frontdeskhq/frontdesk/connectors/internal/setting/settingtest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// secrets are the values no error of Validate may quote: the API token, the account id,
// the webhook password and a password in the URL.
var secrets = []string{testToken, testAccount, "pa55", "s3cr3t"}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string // the variable the one problem names; "" for none
	}{
		{"Complete", func(*Config) {}, ""},
		{"Regional", func(c *Config) { c.BaseURL = "https://acme.us-1.gladly.com" }, ""},
		{"TrailingSlash", func(c *Config) { c.BaseURL = "https://acme.gladly.com/" }, ""},
		{"PlainHTTP", func(c *Config) { c.BaseURL = "http://127.0.0.1:8089" }, ""},
		{"Options", func(c *Config) {
			c.WebhookUser, c.WebhookPassword, c.SLA = "hooks", "pa55", 5*time.Minute
			c.CloseTopicIDs = []string{topicA, topicB}
		}, ""},
		{"NoSLA", func(c *Config) { c.SLA = 0 }, ""},
		{"AccountInnerSpace", func(c *Config) { c.AccountID = "acct 7Rm2" }, ""},

		{"BareHost", func(c *Config) { c.BaseURL = "acme.gladly.com" }, "GLADLY_BASE_URL"},
		{"APIPath", func(c *Config) { c.BaseURL = "https://acme.gladly.com/api/v1" }, "GLADLY_BASE_URL"},
		{"PathAndCredentials", func(c *Config) { c.BaseURL = "https://admin:s3cr3t@acme.gladly.com/x" }, "GLADLY_BASE_URL"},
		{"Query", func(c *Config) { c.BaseURL = "https://acme.gladly.com/?x=1" }, "GLADLY_BASE_URL"},
		{"Fragment", func(c *Config) { c.BaseURL = "https://acme.gladly.com#top" }, "GLADLY_BASE_URL"},
		{"FTP", func(c *Config) { c.BaseURL = "ftp://acme.gladly.com" }, "GLADLY_BASE_URL"},
		{"BlankURL", func(c *Config) { c.BaseURL = " " }, "GLADLY_BASE_URL"},
		{"NoEmail", func(c *Config) { c.AgentEmail = "" }, "GLADLY_AGENT_EMAIL"},
		{"BlankEmail", func(c *Config) { c.AgentEmail = "  " }, "GLADLY_AGENT_EMAIL"},
		{"NotEmail", func(c *Config) { c.AgentEmail = "frontdesk" }, "GLADLY_AGENT_EMAIL"},
		{"EmailColon", func(c *Config) { c.AgentEmail = "a:b@acme.example" }, "GLADLY_AGENT_EMAIL"},
		{"EmailSpace", func(c *Config) { c.AgentEmail = "a b@acme.example" }, "GLADLY_AGENT_EMAIL"},
		{"NoToken", func(c *Config) { c.APIToken = "" }, "GLADLY_API_TOKEN"},
		{"TokenSpace", func(c *Config) { c.APIToken = testToken + " x" }, "GLADLY_API_TOKEN"},
		{"NoAgent", func(c *Config) { c.AgentID = "" }, "GLADLY_AGENT_ID"},
		{"AgentSpace", func(c *Config) { c.AgentID = "a b" }, "GLADLY_AGENT_ID"},
		{"NoAIInbox", func(c *Config) { c.AIInboxID = "" }, "GLADLY_AI_INBOX_ID"},
		{"AIInboxSpace", func(c *Config) { c.AIInboxID = aiInbox + "\t" }, "GLADLY_AI_INBOX_ID"},
		{"NoHandoffInbox", func(c *Config) { c.HandoffInboxID = "" }, "GLADLY_HANDOFF_INBOX_ID"},
		{"HandoffInboxSpace", func(c *Config) { c.HandoffInboxID = "h b" }, "GLADLY_HANDOFF_INBOX_ID"},
		{"SameInboxes", func(c *Config) { c.HandoffInboxID = c.AIInboxID }, "GLADLY_HANDOFF_INBOX_ID"},
		{"NoAccount", func(c *Config) { c.AccountID = "" }, "GLADLY_ACCOUNT_ID"},
		{"BlankAccount", func(c *Config) { c.AccountID = "   " }, "GLADLY_ACCOUNT_ID"},
		{"AccountSpace", func(c *Config) { c.AccountID = " " + testAccount }, "GLADLY_ACCOUNT_ID"},
		{"UserOnly", func(c *Config) { c.WebhookUser = "hooks" }, "GLADLY_WEBHOOK_PASSWORD"},
		{"PasswordOnly", func(c *Config) { c.WebhookPassword = "pa55" }, "GLADLY_WEBHOOK_USER"},
		{"UserColon", func(c *Config) { c.WebhookUser, c.WebhookPassword = "a:b", "pa55" }, "GLADLY_WEBHOOK_USER"},
		{"NegativeSLA", func(c *Config) { c.SLA = -time.Minute }, "GLADLY_SLA"},
		{"TopicSpace", func(c *Config) { c.CloseTopicIDs = []string{topicA, "a b"} }, "GLADLY_CLOSE_TOPIC_IDS"},
		{"TopicEmpty", func(c *Config) { c.CloseTopicIDs = []string{""} }, "GLADLY_CLOSE_TOPIC_IDS"},
		{"ZeroRetry", func(c *Config) { c.RetryFor = 0 }, "GLADLY_RETRY_FOR"},
		{"NegativeRetry", func(c *Config) { c.RetryFor = -time.Minute }, "GLADLY_RETRY_FOR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("https://acme.gladly.com")
			cfg.SLA = 10 * time.Minute
			tc.edit(&cfg)
			err := cfg.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			settingtest.OneProblem(t, err, tc.want, secrets...)
		})
	}
}

// TestConfig_ValidateOff: with GLADLY_BASE_URL unset only the variables that make no
// sense alone are reported, and the defaults the environment fills in are no problem.
func TestConfig_ValidateOff(t *testing.T) {
	defaults := Config{SLA: 10 * time.Minute, RetryFor: time.Hour}
	if err := defaults.Validate(); err != nil || defaults.Enabled() {
		t.Errorf("off: enabled %t, Validate = %v", defaults.Enabled(), err)
	}
	alone := defaults
	alone.AgentEmail, alone.WebhookUser, alone.CloseTopicIDs = testEmail, "hooks", []string{"a b"}
	if err := alone.Validate(); err != nil {
		t.Errorf("off with variables that are harmless alone: %v", err)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		vars []string
	}{
		{"Token", Config{APIToken: testToken}, []string{"GLADLY_API_TOKEN"}},
		{"Account", Config{AccountID: testAccount}, []string{"GLADLY_ACCOUNT_ID"}},
		{"Both", Config{APIToken: testToken, AccountID: testAccount}, []string{"GLADLY_API_TOKEN", "GLADLY_ACCOUNT_ID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			settingtest.OneProblem(t, err, "GLADLY_BASE_URL", secrets...)
			for _, v := range tc.vars {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("%q does not name %s", err, v)
				}
			}
		})
	}
}

// TestConfig_ValidateAll: every problem is reported, each on its line and naming its
// variable.
func TestConfig_ValidateAll(t *testing.T) {
	cfg := Config{
		BaseURL: "https://admin:s3cr3t@acme.gladly.com/api/v1", APIToken: "tok en", AIInboxID: aiInbox,
		HandoffInboxID: aiInbox, AccountID: testAccount + " ", WebhookPassword: "pa55", SLA: -time.Second,
	}
	err := cfg.Validate()
	settingtest.NoSecret(t, err, secrets...)
	var vars []string
	for _, p := range settingtest.Problems(err) {
		v, _, _ := strings.Cut(p, ":")
		vars = append(vars, v)
	}
	want := []string{"GLADLY_BASE_URL", "GLADLY_AGENT_EMAIL", "GLADLY_API_TOKEN", "GLADLY_AGENT_ID",
		"GLADLY_ACCOUNT_ID", "GLADLY_HANDOFF_INBOX_ID", "GLADLY_WEBHOOK_USER", "GLADLY_SLA", "GLADLY_RETRY_FOR"}
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("problems with %q, want %q:\n%v", vars, want, err)
	}
}

// fakeFiles is bot.Files as the connector sees it: it records what was placed and links
// to it under a made-up PUBLIC_URL.
type fakeFiles struct {
	mu       sync.Mutex
	placeErr error
	name     string
	ttl      time.Duration
	locate   func(ctx context.Context, ref string) (string, error)
	linked   []string // "name ref", in order
}

func (f *fakeFiles) Place(name string, ttl time.Duration, locate func(ctx context.Context, ref string) (string, error)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.placeErr != nil {
		return f.placeErr
	}
	f.name, f.ttl, f.locate = name, ttl, locate
	return nil
}

func (f *fakeFiles) LinkTo(_ context.Context, name, ref string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.linked = append(f.linked, name+" "+ref)
	return "https://desk.example.com/files/" + name + "/" + ref, nil
}

func TestConnect_Off(t *testing.T) {
	files := &fakeFiles{}
	c, err := Connect(Config{SLA: 10 * time.Minute, RetryFor: time.Hour}, Deps{Queue: newFakeQueue(), Files: files})
	if c != nil || err != nil {
		t.Errorf("Connect = %v, %v; want nothing", c, err)
	}
	if files.name != "" {
		t.Error("an off connector placed files")
	}
}

// TestConnect_Invalid: a bad configuration, or no queue, builds nothing, files included.
func TestConnect_Invalid(t *testing.T) {
	bad := testConfig("https://acme.gladly.com")
	bad.AccountID = ""
	for name, tc := range map[string]struct {
		cfg  Config
		deps Deps
	}{
		"Config":  {bad, Deps{Queue: newFakeQueue()}},
		"NoQueue": {testConfig("https://acme.gladly.com"), Deps{}},
	} {
		t.Run(name, func(t *testing.T) {
			files := &fakeFiles{}
			tc.deps.Files = files
			c, err := Connect(tc.cfg, tc.deps)
			if c != nil || err == nil {
				t.Fatalf("Connect = %v, %v; want an error", c, err)
			}
			if files.name != "" {
				t.Error("files placed by a connector that was not built")
			}
		})
	}
	files := &fakeFiles{placeErr: errors.New("files: bad name")}
	if c, err := Connect(testConfig("https://acme.gladly.com"), Deps{Queue: newFakeQueue(), Files: files}); c != nil || err == nil {
		t.Errorf("Connect with files that cannot be placed = %v, %v", c, err)
	}
}

// TestConnect_Parts: the connector is the Client as its source, the webhook at Path and
// the Processor as the queue's worker; nothing else.
func TestConnect_Parts(t *testing.T) {
	cfg := testConfig("https://acme.gladly.com")
	cfg.SLA = 7 * time.Minute
	c, err := Connect(cfg, Deps{Queue: newFakeQueue()}) // no Log: none
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != Source || c.Sink != nil || c.Enricher != nil || c.Runners != nil || c.Inbound == nil {
		t.Errorf("connector = %+v", c)
	}
	src, ok := c.Source.(tickets.SLAHandBacker)
	if !ok || src.HandBackAfter() != cfg.SLA || !src.TakesChatsBack() {
		t.Fatalf("source %T is not the Client with GLADLY_SLA", c.Source)
	}
	if _, err := c.Inbound(nil); err == nil {
		t.Error("Inbound took no ticket service")
	}
	in, err := c.Inbound(newTicketsFor(t, nil).Service)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Collect(maps.Keys(in.Routes)); !reflect.DeepEqual(got, []string{Path}) || in.Routes[Path] == nil {
		t.Errorf("routes %q, want %q", got, Path)
	}
	if in.Queue == nil || in.Runners != nil {
		t.Errorf("inbound: queue set %t, runners %d", in.Queue != nil, len(in.Runners))
	}
}

// TestConnect_EndToEnd: Gladly's webhook, taken at the connector's route, is only queued;
// the connector's queue worker then opens the ticket, reading Gladly, with the
// customer's file as Frontdesk's link (Deps.Files), which the placed locator resolves
// through Gladly. Without Files the file is named instead.
func TestConnect_EndToEnd(t *testing.T) {
	for _, withFiles := range []bool{true, false} {
		t.Run(map[bool]string{true: "Files", false: "NoFiles"}[withFiles], func(t *testing.T) {
			ctx := context.Background()
			f := gladlytest.New(testEmail, testToken)
			defer f.Close()
			seed(f)
			f.SetItems(convID, itemWithAttachment(t))
			q, files := newFakeQueue(), &fakeFiles{}
			d := Deps{Queue: q, Log: zaptest.NewLogger(t)}
			if withFiles {
				d.Files = files
			}
			c, err := Connect(testConfig(f.URL), d)
			if err != nil {
				t.Fatal(err)
			}
			client, _ := c.Source.(*Client)
			tk := newTicketsFor(t, client)
			in, err := c.Inbound(tk.Service)
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			for p, h := range in.Routes {
				mux.Handle(p, h)
			}
			srv := httptest.NewServer(mux)
			defer srv.Close()
			hook := gladlytest.Webhook{URL: srv.URL + Path, Account: testAccount}
			status, err := hook.Send(ctx, edited(t, "contact_message_received.json", map[string]any{"content.messageId": docItem}))
			if err != nil || status != http.StatusOK {
				t.Fatalf("webhook: %d, %v", status, err)
			}
			if n := len(tk.all()); n != 0 || len(f.Calls()) != 0 {
				t.Fatalf("the webhook did more than queue: %d tickets, %d calls to Gladly", n, len(f.Calls()))
			}
			queued := q.queued()
			if len(queued) != 1 {
				t.Fatalf("%d events queued", len(queued))
			}
			if err := in.Queue(ctx, queued[0]); err != nil {
				t.Fatalf("Queue: %v", err)
			}
			first := tk.first()
			ref := docItem + "/" + docAttachment
			if !withFiles {
				if len(first.Attachments) != 0 || !strings.Contains(first.Text, "open the conversation in Gladly") || files.name != "" {
					t.Errorf("first = %+v", first)
				}
				return
			}
			want := []tickets.Attachment{{URL: "https://desk.example.com/files/gladly/" + ref, Name: "attachment-1.png", MIME: "image/png", Size: 1024, Upload: true}}
			if !reflect.DeepEqual(first.Attachments, want) || !reflect.DeepEqual(files.linked, []string{Source + " " + ref}) {
				t.Errorf("first = %+v, links made %q", first, files.linked)
			}
			if files.name != Source || files.ttl != FileLinkTTL || files.locate == nil {
				t.Fatalf("placed %q for %s", files.name, files.ttl)
			}
			if got, err := files.locate(ctx, ref); err != nil || got != gladlytest.DownloadURL(docAttachment) {
				t.Errorf("the placed locator = %q, %v; want Gladly's download URL", got, err)
			}
		})
	}
}
