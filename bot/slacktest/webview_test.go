package slacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// webPage is the web view served over HTTP, as the demo mounts it.
type webPage struct {
	t   *testing.T
	url string
}

func newWebPage(t *testing.T, sim *Sim, cfg WebViewConfig) *webPage {
	srv := httptest.NewServer(http.StripPrefix("/slack", sim.WebView(cfg)))
	t.Cleanup(srv.Close)
	return &webPage{t: t, url: srv.URL + "/slack/"}
}

// do POSTs body to api/<path> and returns the status and the decoded answer.
func (p *webPage) do(path string, body any) (int, map[string]any) {
	p.t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(p.url+"api/"+path, "application/json", bytes.NewReader(b))
	must(p.t, err)
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func (p *webPage) state(query string) webState {
	p.t.Helper()
	res, err := http.Get(p.url + "api/state?" + query)
	must(p.t, err)
	defer res.Body.Close()
	var st webState
	if res.StatusCode != http.StatusOK {
		p.t.Fatalf("GET api/state?%s: %s", query, res.Status)
	}
	must(p.t, json.NewDecoder(res.Body).Decode(&st))
	return st
}

// TestWebView_Actions drives every action of the page and checks what the app gets: a
// Pick click, a modal filled and submitted (first refused with a field error), a message
// posted as the person, a message shortcut and a global one.
func TestWebView_Actions(t *testing.T) {
	ctx := context.Background()
	sim := New(t)
	sim.DiscardUnexpected()
	alice := sim.AddUser("alice")
	bob := sim.AddUser("bob")
	ch := sim.AddChannel("tickets", false, sim.Bot(), alice)
	api := newAPI(sim)
	c := startClient(t, sim, func(e socketmode.Event, sc *socketmode.Client) {
		cb, ok := e.Data.(slack.InteractionCallback)
		switch {
		case ok && cb.Type == slack.InteractionTypeViewSubmission:
			if cb.View.State.Values["reason"]["value"].Value == "bad" {
				_ = sc.Ack(*e.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"reason": "Not that."}))
				return
			}
		case ok && cb.Type == slack.InteractionTypeBlockActions:
			_, err := api.OpenViewContext(ctx, cb.TriggerID, testModal())
			check(t, err)
		}
		_ = sc.Ack(*e.Request)
	})
	pick := slack.NewButtonBlockElement("ticket_pick", "T-1", text("Pick"))
	_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("New chat", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(text("New chat from Ann"), nil, nil), slack.NewActionBlock("card", pick)))
	must(t, err)
	c.next(t) // the card's own message event
	card := ch.ExpectMessage("New chat from Ann")
	page := newWebPage(t, sim, WebViewConfig{DefaultUser: "alice",
		MessageShortcuts: []Shortcut{{CallbackID: "live_chat_control", Name: "Live Chat Control"}},
		GlobalShortcuts:  []Shortcut{{CallbackID: "admin", Name: "Admin"}}})

	st := page.state("channel=" + ch.ID)
	if st.Me != alice.ID || st.Channel == nil || len(st.Channel.Messages) != 1 || st.Channel.Messages[0].TS != card.TS {
		t.Fatalf("state as the default user = %+v", st)
	}
	if st.Modal != nil {
		t.Fatalf("a modal before any click: %+v", st.Modal)
	}

	t.Run("Click", func(t *testing.T) {
		status, res := page.do("click", map[string]any{"as": "alice", "channel": ch.ID, "ts": card.TS, "block_id": "card", "action_id": "ticket_pick"})
		if status != http.StatusOK || res["ok"] != true {
			t.Fatalf("click: %d %v", status, res)
		}
		cb := c.next(t).Data.(slack.InteractionCallback)
		if acts := cb.ActionCallback.BlockActions; len(acts) != 1 || acts[0].ActionID != "ticket_pick" || acts[0].Value != "T-1" ||
			cb.User.ID != alice.ID || cb.Container.MessageTs != card.TS {
			t.Errorf("block_actions %+v", cb)
		}
		if status, _ := page.do("click", map[string]any{"channel": ch.ID, "ts": card.TS, "block_id": "card", "action_id": "nope"}); status != http.StatusBadRequest {
			t.Errorf("a click on a button that is not there: %d, want 400", status)
		}
	})

	t.Run("Submit", func(t *testing.T) {
		st := page.state("as=alice")
		if st.Modal == nil || st.Modal.Title != "Live Chat Control" || st.Modal.Submit != "Proceed" {
			t.Fatalf("modal after the click = %+v", st.Modal)
		}
		values := map[string]any{"action": "end", "team": "", "reason": "bad"}
		status, res := page.do("submit", map[string]any{"view_id": st.Modal.ID, "values": values})
		if errs, _ := res["errors"].(map[string]any); status != http.StatusOK || errs["reason"] != "Not that." {
			t.Fatalf("submit with a refused reason: %d %v", status, res)
		}
		c.next(t)
		if page.state("").Modal == nil {
			t.Fatal("the modal closed although the app answered with errors")
		}
		values["reason"] = "all done"
		if status, res := page.do("submit", map[string]any{"view_id": st.Modal.ID, "values": values}); status != http.StatusOK {
			t.Fatalf("submit: %d %v", status, res)
		}
		cb := c.next(t).Data.(slack.InteractionCallback)
		v := cb.View.State.Values
		if v["action"]["value"].SelectedOption.Value != "end" || v["reason"]["value"].Value != "all done" {
			t.Errorf("view_submission values %+v", v)
		}
		if m := page.state("").Modal; m != nil {
			t.Errorf("the modal stayed open after a plain ack: %+v", m)
		}
		if status, _ := page.do("submit", map[string]any{"view_id": st.Modal.ID, "values": values}); status != http.StatusConflict {
			t.Errorf("submitting a closed modal: %d, want 409", status)
		}
	})

	t.Run("Post", func(t *testing.T) {
		status, res := page.do("post", map[string]any{"as": alice.ID, "channel": ch.ID, "text": "Hello from the page"})
		if status != http.StatusOK {
			t.Fatalf("post: %d %v", status, res)
		}
		ev := c.next(t).Data.(slackevents.EventsAPIEvent)
		msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
		if !ok || msg.Text != "Hello from the page" || msg.User != alice.ID || msg.Channel != ch.ID {
			t.Errorf("message event %+v", ev.InnerEvent.Data)
		}
		status, res = page.do("post", map[string]any{"channel": ch.ID, "text": "a note", "thread_ts": card.TS})
		if status != http.StatusOK {
			t.Fatalf("thread reply: %d %v", status, res)
		}
		ev = c.next(t).Data.(slackevents.EventsAPIEvent)
		if msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); !ok || msg.Text != "a note" || msg.ThreadTimeStamp != card.TS {
			t.Errorf("thread reply event %+v", ev.InnerEvent.Data)
		}
		if st := page.state("channel=" + ch.ID); len(st.Channel.Messages[0].Replies) != 1 || st.Channel.Messages[0].Replies[0].Text != "a note" {
			t.Errorf("the card's thread on the page: %+v", st.Channel.Messages[0])
		}
		if status, _ := page.do("post", map[string]any{"channel": ch.ID, "text": "   "}); status != http.StatusBadRequest {
			t.Errorf("an empty message: %d, want 400", status)
		}
		if status, _ := page.do("post", map[string]any{"as": "bob", "channel": ch.ID, "text": "hi"}); status != http.StatusConflict {
			t.Errorf("bob, not a member, posts: %d, want 409", status)
		}
		st := page.state("as=bob&channel=" + ch.ID)
		if st.Me != bob.ID || st.Channel == nil || len(st.Channel.Messages) != 2 {
			t.Errorf("bob sees the public channel as %+v", st.Channel)
		}
	})

	t.Run("Shortcuts", func(t *testing.T) {
		status, res := page.do("shortcut", map[string]any{"channel": ch.ID, "ts": card.TS, "callback_id": "live_chat_control"})
		if status != http.StatusOK {
			t.Fatalf("shortcut: %d %v", status, res)
		}
		cb := c.next(t).Data.(slack.InteractionCallback)
		if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != "live_chat_control" || cb.Message.Timestamp != card.TS || cb.TriggerID == "" {
			t.Errorf("message_action %+v", cb)
		}
		if status, _ := page.do("shortcut", map[string]any{"channel": ch.ID, "ts": card.TS, "callback_id": "other"}); status != http.StatusBadRequest {
			t.Errorf("a shortcut the app does not have: %d, want 400", status)
		}
		if status, _ := page.do("global", map[string]any{"callback_id": "admin"}); status != http.StatusOK {
			t.Errorf("global shortcut: %d", status)
		}
		if cb := c.next(t).Data.(slack.InteractionCallback); cb.Type != slack.InteractionTypeShortcut || cb.CallbackID != "admin" {
			t.Errorf("shortcut %+v", cb)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		res, err := http.Post(page.url+"api/post", "application/x-www-form-urlencoded", strings.NewReader("channel="+ch.ID+"&text=hi"))
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("a form post: %s, want 415", res.Status)
		}
		if status, _ := page.do("post", map[string]any{"as": "mallory", "channel": ch.ID, "text": "hi"}); status != http.StatusNotFound {
			t.Errorf("an unknown person: %d, want 404", status)
		}
		if status, _ := page.do("post", map[string]any{"as": BotUserID, "channel": ch.ID, "text": "hi"}); status != http.StatusNotFound {
			t.Errorf("acting as the bot: %d, want 404", status)
		}
	})
}

// TestWebView_LongPoll: a poll with after=<version> returns once the workspace changes.
func TestWebView_LongPoll(t *testing.T) {
	sim := New(t)
	sim.DiscardUnexpected()
	alice := sim.AddUser("alice")
	ch := sim.AddChannel("general", false, alice)
	page := newWebPage(t, sim, WebViewConfig{})
	v := page.state("").Version
	got := make(chan webState, 1)
	go func() {
		res, err := http.Get(page.url + "api/state?channel=" + ch.ID + "&after=" + jsonNum(v))
		if err != nil {
			close(got)
			return
		}
		defer res.Body.Close()
		var st webState
		_ = json.NewDecoder(res.Body).Decode(&st)
		got <- st
	}()
	alice.Post(ch, "news")
	select {
	case st := <-got:
		if st.Version <= v || st.Channel == nil || len(st.Channel.Messages) != 1 || st.Channel.Messages[0].Text != "news" {
			t.Errorf("the long poll answered %+v, want version > %d with the new message", st, v)
		}
	case <-time.After(2 * longPoll):
		t.Fatal("the long poll never answered")
	}
}

// TestWebView_Page: the page and its script are served.
func TestWebView_Page(t *testing.T) {
	sim := New(t)
	page := newWebPage(t, sim, WebViewConfig{})
	for _, path := range []string{"", "app.js", "app.css"} {
		res, err := http.Get(page.url + path)
		must(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("GET %q: %s, %d bytes", path, res.Status, len(b))
		}
	}
}

func jsonNum(v uint64) string { b, _ := json.Marshal(v); return string(b) }

// testModal is a Live Chat Control-like modal: radio buttons, a select and a text input.
func testModal() slack.ModalViewRequest {
	opt := func(v, label string) *slack.OptionBlockObject { return slack.NewOptionBlockObject(v, text(label), nil) }
	action := slack.NewRadioButtonsBlockElement("value", opt("transfer", "Transfer"), opt("end", "End the live chat"))
	team := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, text("Choose"), "value", opt("C1", "Support"))
	reason := slack.NewPlainTextInputBlockElement(nil, "value")
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: text("Live Chat Control"), Submit: text("Proceed"), Close: text("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("action", text("What to do"), nil, action),
			slack.NewInputBlock("team", text("Team"), nil, team).WithOptional(true),
			slack.NewInputBlock("reason", text("Note"), nil, reason).WithOptional(true),
		}},
	}
}

// TestWebView_Visibility: a person sees public channels, the private ones they are in and
// their own DM with the app; nothing of the others, even when asking by id.
func TestWebView_Visibility(t *testing.T) {
	sim := New(t)
	sim.DiscardUnexpected()
	alice, bob := sim.AddUser("alice"), sim.AddUser("bob")
	public := sim.AddChannel("general", false, alice, bob)
	secret := sim.AddChannel("chat-1", true, sim.Bot(), bob)
	note := bob.Post(secret, "internal")
	aliceDM, bobDM := alice.DM(), bob.DM()
	page := newWebPage(t, sim, WebViewConfig{MessageShortcuts: []Shortcut{{CallbackID: "x", Name: "X"}}})
	names := func(st webState) []string {
		var out []string
		for _, c := range st.Channels {
			out = append(out, c.ID)
		}
		return out
	}
	st := page.state("as=alice&channel=" + secret.ID)
	if got := names(st); len(got) != 2 || got[0] != public.ID || got[1] != aliceDM.ID {
		t.Errorf("alice sees %v, want [%s %s]", got, public.ID, aliceDM.ID)
	}
	if st.Channel != nil {
		t.Errorf("alice reads a private channel she is not in: %+v", st.Channel)
	}
	status, res := page.do("shortcut", map[string]any{"as": "alice", "channel": secret.ID, "ts": note.TS, "callback_id": "x"})
	if status != http.StatusBadRequest || res["error"] != "no such channel" {
		t.Errorf("a shortcut on a message alice cannot see: %d %v", status, res)
	}
	st = page.state("as=bob&channel=" + secret.ID)
	if got := names(st); len(got) != 3 || got[2] != bobDM.ID || st.Channel == nil || len(st.Channel.Messages) != 1 {
		t.Errorf("bob sees %v and %+v", got, st.Channel)
	}
}
