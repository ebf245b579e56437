//go:build demo

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdeskhq/frontdesk/connectors/widget"
	"github.com/frontdeskhq/frontdesk/store"
	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// startDemo runs `frontdesk demo` in the test on spare ports with Redis found as mode says
// (existing: the test's own), and returns what it started; it is stopped (and checked to
// stop cleanly, deleting its keys from an existing Redis) when the test ends.
func startDemo(t *testing.T, mode string) demoInfo {
	t.Helper()
	client, _ := redistest.Open(t) // checks that Redis answers; the demo keeps to a prefix of its own
	url := redisURL(t, client)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan demoInfo, 1)
	done := make(chan error, 1)
	out, logs := &lockedBuffer{}, &lockedBuffer{}
	go func() {
		done <- runDemo(ctx, demoOptions{
			addr: "127.0.0.1:0", frontdeskAddr: "127.0.0.1:0", redis: mode,
			getenv: environment(map[string]string{"REDIS_URL": url}),
			ready:  func(i demoInfo) { ready <- i },
		}, out, logs)
	}()
	var info demoInfo
	select {
	case info = <-ready:
	case err := <-done:
		t.Fatalf("the demo stopped at start: %v\n%s\n%s", err, out, logs)
	case <-time.After(browserWait):
		cancel()
		t.Fatalf("the demo did not come up within %v\n%s\n%s", browserWait, out, logs)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the demo returned %v", err)
			}
		case <-time.After(browserWait):
			t.Fatal("the demo did not stop")
		}
		if n := countKeys(t, client, info.redis.prefix); n > 0 {
			t.Errorf("after the demo, %d keys under its prefix remain", n)
		}
		if t.Failed() {
			t.Logf("demo output:\n%s\nlogs:\n%s", out, logs)
		}
	})
	for _, want := range []string{info.siteURL, info.slackURL, "Ctrl-C"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the banner does not say %q:\n%s", want, out)
		}
	}
	return info
}

// TestDemo runs `frontdesk demo` and one chat through both of its pages in Chromium: a
// visitor writes on the website, the card appears in the Slack view, Pick opens the inbox
// channel, replies go both ways and the ticket is in Redis; Live Chat Control transfers the
// chat to Billing (after showing the app's field error), where another agent picks and
// ends it.
func TestDemo(t *testing.T) {
	exe := chromium(t)
	demoChat(t, exe, startDemo(t, redisExisting))
}

// TestDemo_EmbeddedRedis is TestDemo on the embedded Redis, the demo's last resort on a
// machine without one: the widget's feed works there too.
func TestDemo_EmbeddedRedis(t *testing.T) {
	exe := chromium(t)
	info := startDemo(t, redisEmbedded)
	if info.redis.kind != redisEmbedded {
		t.Fatalf("the demo runs on %s", info.redis.about)
	}
	demoChat(t, exe, info)
}

// demoChat is one chat through the running demo's pages, in Chromium at exe.
func demoChat(t *testing.T, exe string, info demoInfo) {
	t.Helper()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless, chromedp.WindowSize(1280, 860),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	site, cancelSite := chromedp.NewContext(alloc)
	defer cancelSite()
	// js runs a script in the page.
	js := func(ctx context.Context, what, script string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// waitJS waits until the expression is true in the page.
	waitJS := func(ctx context.Context, what, expr string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(browserWait), chromedp.WithPollingInterval(100*time.Millisecond)))
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	// shot saves a screenshot of the page when DEMO_SCREENSHOTS names a directory (how
	// docs/images/demo-*.png are made).
	shot := func(ctx context.Context, name string) {
		t.Helper()
		dir := os.Getenv("DEMO_SCREENSHOTS")
		if dir == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	open := func(ctx context.Context, url string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
	}
	const shadow = `document.getElementById("frontdesk-widget").shadowRoot`
	const first, reply, answer = "Hi, can I export a dashboard to PDF?", "Yes: open the dashboard, then Share, then PDF.", "Found it, thanks!"

	// The visitor writes on the website.
	open(site, info.siteURL)
	waitJS(site, "the widget's bubble", `!!document.getElementById("frontdesk-widget") && !!`+shadow+`.querySelector(".bubble")`)
	js(site, "write in the widget", fmt.Sprintf(`(() => {
		const r = %s;
		r.querySelector(".bubble").click();
		r.querySelector("#fd-input").value = %q;
		r.querySelector("form.compose").requestSubmit();
		return true;
	})()`, shadow, first))

	// The card appears in the Slack view; Alex picks it.
	slack, cancelSlack := chromedp.NewContext(site) // a second tab
	defer cancelSlack()
	open(slack, info.slackURL)
	waitJS(slack, "the ticket card in #support-tickets", `document.getElementById("title").textContent.includes("support-tickets") &&
		[...document.querySelectorAll("#messages .msg")].some(m => m.textContent.includes("Ticket #") && m.textContent.includes(`+jsString(first)+`))`)
	shot(slack, "demo-slack-card.png")
	js(slack, "click Pick", `(() => {
		const b = [...document.querySelectorAll("#messages button")].find(b => b.textContent === "Pick");
		b.click();
		return true;
	})()`)
	waitJS(slack, "the inbox channel opened with the visitor's message",
		`document.getElementById("title").textContent.includes("chat-") && document.getElementById("messages").textContent.includes(`+jsString(first)+`)`)

	// Alex answers; the visitor reads it and answers back.
	js(slack, "answer from the inbox channel", fmt.Sprintf(`(() => {
		document.getElementById("text").value = %q;
		document.getElementById("composer").requestSubmit();
		return true;
	})()`, reply))
	waitJS(site, "the agent's reply in the widget", `[...`+shadow+`.querySelectorAll(".m.a")].some(m => m.textContent.includes(`+jsString(reply)+`))`)
	js(site, "answer in the widget", fmt.Sprintf(`(() => {
		const r = %s;
		r.querySelector("#fd-input").value = %q;
		r.querySelector("form.compose").requestSubmit();
		return true;
	})()`, shadow, answer))
	waitJS(slack, "the visitor's answer in the inbox channel", `document.getElementById("messages").textContent.includes(`+jsString(answer)+`)`)
	shot(site, "demo-website.png")
	shot(slack, "demo-slack-inbox.png")

	tk, msgs := demoTicket(t, info)
	if tk.Source != widget.Source || tk.Status != tickets.StatusActive || tk.Assignee.ID != tickets.AgentID(info.world.agent.ID) {
		t.Errorf("the ticket in Redis: source %q, status %q, assignee %q; want widget, active, %s", tk.Source, tk.Status, tk.Assignee.ID, info.world.agent.ID)
	}
	var texts []string
	for _, m := range msgs {
		if m.Direction == tickets.FromCustomer || m.Direction == tickets.FromAgent {
			texts = append(texts, string(m.Direction)+": "+m.Text)
		}
	}
	if want := []string{"customer: " + first, "agent: " + reply, "customer: " + answer}; !slices.Equal(texts, want) {
		t.Errorf("the transcript in Redis = %q, want %q", texts, want)
	}

	// Live Chat Control on the last message it is offered on: transfer to Billing, first without saying to
	// which team (the app's field error shows under the input).
	control := func(who string) {
		t.Helper()
		js(slack, who+" runs Live Chat Control", `(() => {
			[...document.querySelectorAll('#messages > .msg button[data-shortcut="live_chat_control"]')].pop().click();
			return true;
		})()`)
		waitJS(slack, "the Live Chat Control modal", `!document.getElementById("overlay").hidden && document.getElementById("modaltitle").textContent === "Live Chat Control"`)
	}
	control("Alex")
	shot(slack, "demo-slack-control.png")
	js(slack, "transfer without a team", `(() => {
		document.querySelector('#modalbody input[type=radio][value="transfer"]').click();
		document.getElementById("modal").requestSubmit();
		return true;
	})()`)
	waitJS(slack, "the field error under Team", `[...document.querySelectorAll('#modalbody .field-error')].some(p => !p.hidden && p.textContent.includes("Choose the team"))`)
	js(slack, "transfer to Billing", fmt.Sprintf(`(() => {
		document.querySelector('#modalbody [data-block="lcc_team"] select').value = %q;
		document.getElementById("modal").requestSubmit();
		return true;
	})()`, info.world.billing.ID))
	waitJS(slack, "the modal closed and the inbox channel says where the chat went",
		`document.getElementById("overlay").hidden && document.getElementById("messages").textContent.includes("Transferred to Billing")`)

	// Sam picks it in #billing-tickets: the same inbox channel opens for him; he ends it.
	js(slack, "switch to Sam and open #billing-tickets", fmt.Sprintf(`(() => {
		const as = document.getElementById("as");
		as.value = %q;
		as.dispatchEvent(new Event("change"));
		document.querySelector('[data-channel=%q]').click();
		return true;
	})()`, info.world.second.ID, info.world.billing.ID))
	waitJS(slack, "the transferred card in #billing-tickets", `document.getElementById("title").textContent.includes("billing-tickets") &&
		[...document.querySelectorAll("#messages button")].some(b => b.textContent === "Pick")`)
	js(slack, "Sam clicks Pick", `(() => {
		[...document.querySelectorAll("#messages button")].find(b => b.textContent === "Pick").click();
		return true;
	})()`)
	waitJS(slack, "the inbox channel opened for Sam, with the chat so far",
		`document.getElementById("title").textContent.includes("chat-") && document.getElementById("messages").textContent.includes(`+jsString(answer)+`) &&
		document.getElementById("messages").textContent.includes("Sam Lee picked")`)
	control("Sam")
	js(slack, "end the chat", `(() => {
		document.querySelector('#modalbody input[type=radio][value="end"]').click();
		document.getElementById("modal").requestSubmit();
		return true;
	})()`)
	waitJS(slack, "the modal closed and the inbox channel says the chat ended",
		`document.getElementById("overlay").hidden && document.getElementById("messages").textContent.includes("ended the live chat")`)
	waitJS(site, "the visitor told the chat ended", shadow+`.querySelector(".log").textContent.toLowerCase().includes("ended")`)
	if tk, _ := demoTicket(t, info); tk.Status != tickets.StatusClosed || tk.Team.Label != demoBillingLabel || tk.ClosedBy.ID != tickets.AgentID(info.world.second.ID) {
		t.Errorf("after the transfer and End, the ticket in Redis is %q in %q, closed by %q; want closed in %s by %s",
			tk.Status, tk.Team.Label, tk.ClosedBy.ID, demoBillingLabel, info.world.second.ID)
	}
}

// demoTicket reads the demo's one ticket and its transcript from Redis.
func demoTicket(t *testing.T, info demoInfo) (*tickets.Ticket, []tickets.Message) {
	t.Helper()
	c, err := redisConfig(info.redis.url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := c.NewClient(0)
	defer rdb.Close()
	st, err := store.New(rdb, store.Config{Prefix: info.redis.prefix})
	if err != nil {
		t.Fatal(err)
	}
	var tks []*tickets.Ticket
	var msgs []tickets.Message
	err = st.Each(context.Background(), time.Time{}, func(tk *tickets.Ticket, m []tickets.Message) error {
		tks, msgs = append(tks, tk), m
		return nil
	})
	if err != nil || len(tks) != 1 {
		t.Fatalf("the demo's Redis holds %d tickets (%v), want 1", len(tks), err)
	}
	return tks[0], msgs
}

// jsString quotes s for JavaScript (a JSON string is one).
func jsString(s string) string { return fmt.Sprintf("%q", s) }

// TestDemo_Args: `frontdesk demo` refuses arguments and flags it does not know, before
// starting anything.
func TestDemo_Args(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"now"}, {"--nope"}} {
		var stderr lockedBuffer
		if err := demo(context.Background(), args, environment(nil), &lockedBuffer{}, &stderr); err == nil {
			t.Errorf("demo %q succeeded", args)
		}
	}
	var stderr lockedBuffer
	if err := demo(context.Background(), []string{"--help"}, environment(nil), &lockedBuffer{}, &stderr); err != nil || !strings.Contains(stderr.String(), "-redis") {
		t.Errorf("demo --help: %v, printed %q", err, stderr.String())
	}
}
