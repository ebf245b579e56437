package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	pngenc "image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdeskhq/frontdesk/connectors/widget"
)

// The widget in a real browser (Debian's Chromium, headless, through chromedp: it drives
// the browser over the DevTools protocol from Go with no driver binary or browser
// download). The page is a site of its own, on another origin than Frontdesk, that embeds
// the widget with one <script> tag. WIDGET_SCREENSHOTS=<dir> saves the screenshots that
// docs/widget-*.png are.

// browserWait bounds each wait for the pages to show something: generous, for a busy
// machine (each wait ends as soon as its condition holds).
const browserWait = 60 * time.Second

// chromium finds a Chromium to drive. Without one the test skips, except under CI=true,
// where it fails: CI must not pass a test that ran nothing.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH (scripts/chromium.sh installs it); CI must run the browser tests")
	}
	t.Skip("no Chromium on PATH; install it (scripts/chromium.sh) to run the browser tests")
	return ""
}

// shopPage is the embedding site: a page on its own origin with the one tag.
func shopPage(t *testing.T, frontdesk *atomic.Value) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example Shop</title>
<style>body{font-family:sans-serif;margin:0;background:#f3f4f6}header{background:#111827;color:#fff;padding:18px 32px;font-size:22px}
main{padding:32px;max-width:720px}.card{background:#fff;border-radius:8px;padding:20px;margin-bottom:16px;box-shadow:0 1px 3px rgba(0,0,0,.1)}</style>
</head><body><header>Example Shop</header><main><div class="card"><h2>Blue running shoes</h2><p>Light, comfortable, €89.</p></div>
<div class="card"><h2>Questions?</h2><p>Chat with us with the button at the bottom right.</p></div></main>
<script src="http://%s%s" async></script></body></html>`, frontdesk.Load(), widget.ScriptPath)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// page drives one browser tab on the shop page.
type page struct {
	t   *testing.T
	ctx context.Context
}

func newPage(t *testing.T, url string) *page {
	t.Helper()
	exe := chromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless, chromedp.WindowSize(1100, 760),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	p := &page{t: t, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	p.waitFor("the widget's bubble", `!!document.querySelector('#frontdesk-widget')`)
	return p
}

// root is the JS expression of the widget's shadow root.
const root = `document.querySelector('#frontdesk-widget').shadowRoot`

// js runs script in the page and returns its value.
func (p *page) js(what, script string) any {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[any](script))
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// waitFor waits until expr is true in the page: generous, for a busy machine; it ends
// as soon as the condition holds.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(browserWait), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		log, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(() => { const h = document.querySelector('#frontdesk-widget'); return h ? h.shadowRoot.querySelector('.log').innerText : 'no widget' })()`))
		p.t.Fatalf("waiting for %s: %v; the widget shows:\n%s", what, err, log)
	}
}

// logHas waits for the message list to show text.
func (p *page) logHas(text string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%q in the widget", text), root+`.querySelector('.log').textContent.includes(`+quote(text)+`)`)
}

// say focuses the message box, types text and presses Enter, as a visitor does.
func (p *page) say(text string) {
	p.t.Helper()
	input := chromedp.JSPath(root + `.querySelector('#fd-input')`)
	if err := chromedp.Do(p.ctx, chromedp.Focus(input), chromedp.SendKeys(input, text), chromedp.KeyEvent("\r")); err != nil {
		p.t.Fatalf("type %q: %v", text, err)
	}
	p.waitFor(fmt.Sprintf("%q sent", text), `(() => { const ms = [...`+root+`.querySelectorAll('.m.v')];
		return ms.some(m => m.textContent.includes(`+quote(text)+`) && !m.classList.contains('pending')) })()`)
}

func (p *page) click(what, jsPath string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.JSPath(jsPath))); err != nil {
		p.t.Fatalf("click %s: %v", what, err)
	}
}

// reopen reloads the page and opens the widget again, as a returning visitor does.
func (p *page) reopen() {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		p.t.Fatal(err)
	}
	p.waitFor("the widget after the reload", `!!document.querySelector('#frontdesk-widget')`)
	p.click("the bubble", root+`.querySelector('.bubble')`)
}

func (p *page) isOpen() string { return `!` + root + `.querySelector('.panel').hidden` }

// shot saves a screenshot when WIDGET_SCREENSHOTS names a directory.
func (p *page) shot(name string) {
	p.t.Helper()
	dir := os.Getenv("WIDGET_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), png, 0o644)
	}
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestWidget_Browser: in Chromium, a visitor on a site opens the widget, writes (Enter
// sends), and an agent in Slack picks and answers; the visitor sees "agent joined" and the reply live; HTML both ways shows as
// text and never runs; after a reload the history is there; a closed widget opens itself
// on a new agent message; Frontdesk restarts and the page reconnects by itself and gets
// the next reply; the chat ends and the visitor rates it with a button.
func TestWidget_Browser(t *testing.T) {
	t.Parallel()
	var addr atomic.Value
	addr.Store("")
	shop := shopPage(t, &addr)
	vars := map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": shop.URL, "RATING_WINDOW": "1h"}
	w := newWorld(t, vars)
	addr.Store(w.d.Addr().String())
	w.vars["HTTP_ADDR"] = w.d.Addr().String() // a restart comes back on the same address
	p := newPage(t, shop.URL)
	p.shot("widget-closed.png")

	// The bubble is a labelled button; it opens a labelled dialog with the focus in the
	// message box.
	if got := p.js("bubble label", root+`.querySelector('.bubble').getAttribute('aria-label')`); got != "Open chat: "+widget.DefaultTitle {
		t.Errorf("the bubble's label is %q", got)
	}
	p.click("the bubble", root+`.querySelector('.bubble')`)
	p.waitFor("the open panel with the focus in the message box", p.isOpen()+` && `+root+`.activeElement === `+root+`.querySelector('#fd-input')`)
	for what, expr := range map[string]string{
		"dialog role":     root + `.querySelector('.panel').getAttribute('role') === 'dialog'`,
		"dialog label":    root + `.querySelector('#fd-title').textContent === ` + quote(widget.DefaultTitle),
		"live region":     root + `.querySelector('.log').getAttribute('aria-live') === 'polite'`,
		"input label":     root + `.querySelector('label[for=fd-input]').textContent === 'Message'`,
		"close label":     root + `.querySelector('header button').getAttribute('aria-label') === 'Close chat'`,
		"greeting":        root + `.querySelector('.log').textContent.includes(` + quote(widget.DefaultGreeting) + `)`,
		"bubble expanded": root + `.querySelector('.bubble').getAttribute('aria-expanded') === 'true'`,
	} {
		if p.js(what, expr) != true {
			t.Errorf("accessibility: %s is missing", what)
		}
	}

	// The visitor writes; a ticket opens in Slack.
	p.say("Hello, do you ship to Norway?")
	card := w.support.ExpectMessage("Ticket #", "Website visitor", "Hello, do you ship to Norway?")
	dm := w.priya.ExpectDM("Ticket #")
	p.say("It's for a pair of the blue running shoes.")
	card.ExpectReply("blue running shoes")

	// An agent picks and answers: the visitor sees both live.
	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active", "picked")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("Hello, do you ship to Norway?")
	inbox.ExpectMessage("blue running shoes")
	p.logHas("You are now chatting with an agent.")
	yes := w.alice.Post(inbox, "Yes, we do! Delivery takes 3 days.")
	yes.ExpectReaction("white_check_mark")
	p.logHas("Yes, we do! Delivery takes 3 days.")
	// The agent corrects it in Slack: the visitor's bubble changes, marked edited.
	w.alice.Edit(yes, "Yes, we do! Delivery takes 2 days.")
	p.logHas("Yes, we do! Delivery takes 2 days.")
	p.logHas("(edited)")
	p.shot("widget-chat.png")
	p.say(`<img src=x onerror="window.__xss='visitor'"><script>window.__xss='visitor'</script>`)
	inbox.ExpectMessage("&lt;img src=x")
	agentXSS := `<img src=x onerror="window.__xss='agent'"> <b>bold?</b>`
	w.alice.Post(inbox, agentXSS).ExpectReaction("white_check_mark")
	p.logHas(`<b>bold?</b>`)
	// HTML, both ways, is text: no element came of it and nothing ran.
	if got := p.js("XSS check", `[window.__xss === undefined, `+root+`.querySelectorAll('.log img, .log script, .log b').length, document.querySelectorAll('img').length]`); fmt.Sprint(got) != "[true 0 0]" {
		t.Fatalf("HTML in messages was rendered or ran: [no script ran, elements in the log, images in the page] = %v", got)
	}

	// An image the agent shares shows inline, in a link that opens it.
	w.alice.Share(inbox, "The blue ones", "shoes.png", "image/png", []byte("\x89PNG\r\n\x1a\nnot really")).ExpectReaction("white_check_mark")
	p.waitFor("the shared image inline", root+`.querySelectorAll('.log a.f img[alt="shoes.png"]').length === 1`)

	// A reload keeps the visitor and shows the history.
	p.reopen()
	p.logHas("Hello, do you ship to Norway?")
	p.logHas("Yes, we do! Delivery takes 2 days. (edited)")
	p.logHas(`<b>bold?</b>`)
	if p.js("the old text", root+`.querySelector('.log').textContent.includes('3 days')`) != false {
		t.Error("after the reload the widget shows the text the agent edited away")
	}
	if n := p.js("history count", root+`.querySelectorAll('.m').length`); n != float64(6) {
		t.Errorf("after the reload the widget shows %v messages, want 6 (each once)", n)
	}

	// Escape closes it and gives the focus back to the bubble; a new agent message opens it.
	if err := chromedp.Do(p.ctx, chromedp.KeyEvent("\x1b")); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the panel closed with the focus on the bubble", `!(`+p.isOpen()+`) && `+root+`.activeElement === `+root+`.querySelector('.bubble')`)
	w.alice.Post(inbox, "Anything else I can help with?").ExpectReaction("white_check_mark")
	p.waitFor("the panel to open itself", p.isOpen())
	p.logHas("Anything else I can help with?")

	// Frontdesk restarts; the page reconnects by itself and gets the next reply, once.
	w.d.stop(t)
	w.sim.ExpectConnections(0)
	w.d = startDesk(t, w.sim, w.src, w.vars)
	last := w.alice.Post(inbox, "Back after a restart.")
	last.ExpectReaction("white_check_mark")
	p.logHas("Back after a restart.")
	p.say("Great, thanks!")
	inbox.ExpectMessage("Great, thanks!")
	if n := p.js("message count", root+`.querySelectorAll('.m').length`); n != float64(9) {
		t.Errorf("after the reconnect the widget shows %v messages, want 9 (none lost or doubled)", n)
	}
	// A message the agent deletes goes from the visitor's chat, leaving a line that says so.
	oops := w.alice.Post(inbox, "Wrong customer, sorry: your order 4411 shipped")
	oops.ExpectReaction("white_check_mark")
	p.logHas("your order 4411 shipped")
	w.alice.Delete(oops)
	p.logHas("This message was deleted.")
	if p.js("the deleted text", root+`.querySelector('.log').textContent.includes('4411')`) != false {
		t.Error("the widget still shows a message the agent deleted")
	}

	// The agent ends the chat; the visitor rates it with a button.
	w.alice.Shortcut(last, "live_chat_control")
	view := w.alice.ExpectView("Live Chat Control")
	if ack := w.alice.Submit(view, map[string]any{"lcc_action": "End the live chat", "lcc_reason": "solved"}); len(ack.Errors()) > 0 {
		t.Fatalf("end refused: %v", ack.Errors())
	}
	card.ExpectUpdate("Closed by")
	dm.ExpectUpdate("Closed by")
	inbox.ExpectMessage("ended the live chat")
	p.waitFor("the rating buttons", root+`.querySelectorAll('.rate button').length === 5`)
	p.shot("widget-rating.png")
	p.click("Rate 5", root+`.querySelector('.rate button[aria-label="Rate 5 out of 5"]')`)
	p.logHas("Thank you for your rating.")
	card.ExpectUpdate("Rating:", "5/5")
	dm.ExpectUpdate("5/5")
	inbox.ExpectMessage("rated the chat", "5/5")
}

// TestWidget_BrowserPreChat: with WIDGET_PRECHAT on, the visitor leaves a name and email
// before the first message; the ticket's card shows them. A message over the size limit
// is refused with a clear word.
func TestWidget_BrowserPreChat(t *testing.T) {
	t.Parallel()
	var addr atomic.Value
	addr.Store("")
	shop := shopPage(t, &addr)
	w := newWorld(t, map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": shop.URL, "WIDGET_PRECHAT": "true",
		"WIDGET_TITLE": "Example Shop support", "WIDGET_COLOR": "#0f766e", "WIDGET_GREETING": "Hello! Ask us anything."})
	addr.Store(w.d.Addr().String())
	p := newPage(t, shop.URL)
	p.click("the bubble", root+`.querySelector('.bubble')`)
	p.waitFor("the pre-chat form with the focus on the name", root+`.activeElement === `+root+`.querySelector('#fd-name') && `+root+`.querySelector('form.compose').hidden`)
	p.logHas("Hello! Ask us anything.")
	for _, f := range []struct{ id, text string }{{"#fd-name", "Ann Example"}, {"#fd-email", "ann@example.com"}} {
		if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.JSPath(root+`.querySelector('`+f.id+`')`), f.text)); err != nil {
			t.Fatal(err)
		}
	}
	p.shot("widget-prechat.png")
	p.click("Start chat", root+`.querySelector('form.pre button')`)
	p.waitFor("the message box", `!`+root+`.querySelector('form.compose').hidden && `+root+`.activeElement === `+root+`.querySelector('#fd-input')`)
	p.say("Where is my order?")
	w.support.ExpectMessage("Ticket #", "Ann Example", "ann@example.com", "Where is my order?")
	w.priya.ExpectDM("Ann Example")

	// A message over the limit is refused with a clear word, in an announced status line,
	// and not sent.
	input := chromedp.JSPath(root + `.querySelector('#fd-input')`)
	if err := chromedp.Do(p.ctx, chromedp.SetValue(input, strings.Repeat("x", 4001)), chromedp.Focus(input), chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the too-long message refused", root+`.querySelector('.status').textContent.includes('too long') && `+
		root+`.querySelector('.status').getAttribute('aria-live') === 'assertive'`)
	if n := p.js("messages", root+`.querySelectorAll('.m.v').length`); n != float64(1) {
		t.Errorf("the widget shows %v messages of the visitor, want 1 (the long one was not sent)", n)
	}
	if got := p.js("title", root+`.querySelector('#fd-title').textContent`); got != "Example Shop support" {
		t.Errorf("title %q", got)
	}
	if !strings.Contains(fmt.Sprint(p.js("colour", `getComputedStyle(`+root+`.querySelector('.bubble')).backgroundColor`)), "15, 118, 110") {
		t.Error("the bubble does not have WIDGET_COLOR")
	}
}

// TestWidget_BrowserFiles: in Chromium, a visitor attaches a photo with the paperclip;
// it shows in their own bubble, previewed, and arrives in Slack as a Slack file, under
// the card while the chat waits and in the inbox channel once picked, with the same
// bytes. A file of a type the widget does not take, or too large, is refused in the
// page with a clear word and sent nowhere.
func TestWidget_BrowserFiles(t *testing.T) {
	t.Parallel()
	var addr atomic.Value
	shop := shopPage(t, &addr)
	listen := freeAddr(t)
	addr.Store(listen)
	w := newWorld(t, map[string]string{"WIDGET_SECRET": widgetSecret, "WIDGET_ALLOWED_ORIGINS": shop.URL,
		"HTTP_ADDR": listen, "PUBLIC_URL": "http://" + listen, "WIDGET_MAX_FILE_BYTES": "2048"})
	dir := t.TempDir()
	var png bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{R: 200, G: 30, B: 30, A: 255}}, image.Point{}, draw.Src)
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	photo := png.Bytes()
	files := map[string][]byte{"router.png": photo, "notes.zip": []byte("PK\x03\x04 a zip"), "big.png": append(slices.Clone(photo), make([]byte, 4096)...)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := newPage(t, shop.URL)
	p.click("the bubble", root+`.querySelector('.bubble')`)
	p.waitFor("the paperclip", root+`.querySelector('button.attach').getAttribute('aria-label') === 'Attach a file'`)
	p.say("My router looks like this")
	card := w.support.ExpectMessage("Ticket #", "My router looks like this")
	dm := w.priya.ExpectDM("Ticket #")
	pick := func(name string) {
		t.Helper()
		if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.JSPath(root+`.querySelector("#fd-file")`), []string{filepath.Join(dir, name)})); err != nil {
			t.Fatalf("attach %s: %v", name, err)
		}
	}

	// Refused in the page: nothing goes out.
	pick("notes.zip")
	p.waitFor("the zip refused", root+`.querySelector('.status').textContent.includes('notes.zip: this kind of file cannot be sent here; you can send PNG')`)
	pick("big.png")
	p.waitFor("the large file refused", root+`.querySelector('.status').textContent.includes('big.png: the file is too large: the limit is 2 KB')`)

	// The photo: previewed in the visitor's bubble, a Slack file under the card.
	pick("router.png")
	// Shown from Frontdesk's link, a real image: it loaded (24 pixels wide).
	p.waitFor("the photo in the visitor's bubble, sent", `(() => { const img = `+root+`.querySelector('.m.v a.f img[alt="router.png"]');
		return !!img && !img.closest('.m').classList.contains('pending') && img.naturalWidth === 24 &&
			img.src.startsWith(`+quote("http://"+listen+"/widget/files/")+`) })()`)
	shared := card.ExpectReply("router.png", "sent a file")
	if fs := shared.Files(); len(fs) != 1 || string(w.sim.FileContent(fs[0].ID)) != string(photo) || fs[0].Name != "router.png" {
		t.Fatalf("the file under the card: %+v", fs)
	}
	p.shot("widget-file.png")

	w.alice.Click(card, "Pick")
	inbox := w.sim.ExpectChannelCreated("chat-")
	inbox.ExpectMessage("Live chat", "Active", "picked")
	card.ExpectUpdate("Processing by")
	dm.ExpectUpdate("Processing by")
	inbox.ExpectMessage("My router looks like this")
	if fs := inbox.ExpectMessage("router.png", "sent a file").Files(); len(fs) != 1 || string(w.sim.FileContent(fs[0].ID)) != string(photo) {
		t.Fatalf("the file in the inbox: %+v", fs)
	}
	// After a reload the visitor's bubble still shows the photo, once.
	p.reopen()
	p.logHas("My router looks like this")
	p.waitFor("the photo after the reload", root+`.querySelectorAll('.m.v a.f img[alt="router.png"]').length === 1`)
	if n := len(w.sim.Calls("files.completeUploadExternal")); n != 2 {
		t.Errorf("%d uploads completed, want 2 (under the card, then in the inbox)", n)
	}
}
