// Command bare is the limit the benchmark (cmd/bench) measures Frontdesk against: the
// same transport with the same libraries and nothing else. No state, no Redis, no
// durability, no ordering, no retries.
//
//   - Customer → Slack: POST /events with "Authorization: Bearer $BARE_TOKEN" and a JSON
//     body {"slack_channel": "C…", "text": "…", "name": "…"} is posted at once with
//     slack-go's chat.postMessage (under the customer's name, as Frontdesk posts it) and
//     answered 202 once Slack said ok, 502 otherwise.
//   - Slack → customer: every message event from a person (Socket Mode, via slack-go's
//     socketmode) is acknowledged, then POSTed as {"type":"AGENT_MESSAGE", …} to
//     $BARE_CALLBACK_URL, signed like Frontdesk's events (X-Frontdesk-Signature, HMAC-SHA256
//     of "<timestamp>.<body>" keyed with $BARE_SIGNING_SECRET). A failed POST is dropped.
//
// Its HTTP clients keep up to 1024 idle connections per host, so that it reuses them
// under load. It reads SLACK_API_URL, SLACK_BOT_TOKEN, SLACK_APP_TOKEN and HTTP_ADDR like
// Frontdesk, and serves GET /readyz (200 once the Socket Mode connection is up).
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func main() {
	if err := run(); err != nil {
		log.Fatal("bare: ", err)
	}
}

type config struct {
	apiURL, botToken, appToken, addr string
	token, callback, secret          string
}

func readConfig() (config, error) {
	c := config{
		apiURL: os.Getenv("SLACK_API_URL"), botToken: os.Getenv("SLACK_BOT_TOKEN"),
		appToken: os.Getenv("SLACK_APP_TOKEN"), addr: os.Getenv("HTTP_ADDR"),
		token: os.Getenv("BARE_TOKEN"), callback: os.Getenv("BARE_CALLBACK_URL"),
		secret: os.Getenv("BARE_SIGNING_SECRET"),
	}
	for name, v := range map[string]string{
		"SLACK_API_URL": c.apiURL, "SLACK_BOT_TOKEN": c.botToken, "SLACK_APP_TOKEN": c.appToken,
		"HTTP_ADDR": c.addr, "BARE_TOKEN": c.token, "BARE_CALLBACK_URL": c.callback,
		"BARE_SIGNING_SECRET": c.secret,
	} {
		if v == "" {
			return c, fmt.Errorf("%s is required", name)
		}
	}
	return c, nil
}

// bare is the running transport.
type bare struct {
	cfg       config
	api       *slack.Client
	out       *http.Client
	connected atomic.Bool
}

func run() error {
	cfg, err := readConfig()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Both clients keep their connections open for reuse (net/http keeps 2 idle per host
	// by default, so a busy client would open a new one for most calls).
	pooled := func() *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute,
		}}
	}
	b := &bare{
		cfg: cfg,
		api: slack.New(cfg.botToken, slack.OptionAPIURL(cfg.apiURL), slack.OptionAppLevelToken(cfg.appToken),
			slack.OptionHTTPClient(pooled())),
		out: pooled(),
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/events", b.serveEvent)
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !b.connected.Load() {
			http.Error(w, "socket mode is not connected", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	return b.runSocket(ctx)
}

// inbound is the customer message a driver hands the bare transport.
type inbound struct {
	SlackChannel string `json:"slack_channel"`
	Text         string `json:"text"`
	Name         string `json:"name"`
}

func (b *bare) serveEvent(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+b.cfg.token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var in inbound
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil || in.SlackChannel == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	_, _, err := b.api.PostMessageContext(r.Context(), in.SlackChannel, slack.MsgOptionText(in.Text, false),
		slack.MsgOptionUsername(in.Name), slack.MsgOptionIconEmoji(":bust_in_silhouette:"))
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, `{"error":"slack"}`)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// runSocket serves Socket Mode until ctx ends.
func (b *bare) runSocket(ctx context.Context) error {
	sm := socketmode.New(b.api)
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt := <-sm.Events:
			switch evt.Type {
			case socketmode.EventTypeConnected:
				b.connected.Store(true)
			case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect, socketmode.EventTypeConnectionError:
				b.connected.Store(false)
			case socketmode.EventTypeEventsAPI:
				_ = sm.Ack(*evt.Request)
				if msg := personMessage(evt); msg != nil {
					go b.forward(msg)
				}
			default:
				if evt.Request != nil && evt.Request.EnvelopeID != "" {
					_ = sm.Ack(*evt.Request)
				}
			}
		}
	}
}

// personMessage is the message event of evt when a person wrote it, else nil.
func personMessage(evt socketmode.Event) *slackevents.MessageEvent {
	api, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return nil
	}
	ev, ok := api.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || ev.BotID != "" || ev.User == "" || ev.SubType != "" {
		return nil
	}
	return ev
}

// outbound is what the chatbot gets for an agent's message.
type outbound struct {
	Type      string `json:"type"`
	EventID   string `json:"event_id"`
	Channel   string `json:"channel"`
	MessageID string `json:"message_id"`
	Text      string `json:"text"`
}

// forward POSTs an agent's message to the callback, signed; a failure is dropped.
func (b *bare) forward(ev *slackevents.MessageEvent) {
	body, _ := json.Marshal(outbound{Type: "AGENT_MESSAGE", EventID: ev.Channel + "/" + ev.TimeStamp,
		Channel: ev.Channel, MessageID: ev.TimeStamp, Text: ev.Text})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(b.cfg.secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	req, err := http.NewRequest(http.MethodPost, b.cfg.callback, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Frontdesk-Timestamp", ts)
	req.Header.Set("X-Frontdesk-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	res, err := b.out.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}
