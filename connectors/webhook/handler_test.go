package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/frontdeskhq/frontdesk/tickets"
	"github.com/frontdeskhq/frontdesk/tickets/storetest"
)

const testToken = "fd_test_7Hq2xLw9pZ"

// The ids of the conversation in testdata/*.json.
var testConv = conversationID("acme-support-bot", "whatsapp-852", "64f1c0ffee0a1b2c3d4e5f60")

// The teams of the test service: "Technical Team" is the label in
// testdata/live_chat_request.json, and not the default team, so that routing shows.
var (
	support   = tickets.Team{ChannelID: "C_SUPPORT", Label: "Support"}
	technical = tickets.Team{ChannelID: "C_TECH", Label: "Technical Team"}
	testAgent = tickets.Agent{ID: "U_AGENT", Name: "Agent"}
)

// service is the real ticket service over storetest's in-memory store, as the handler
// sees it, counting the calls that reach it.
type service struct {
	*tickets.Service
	mem   *storetest.Memory
	calls atomic.Int64
}

// newService returns the real ticket service with the two teams above; opts change its
// Config.
func newService(t *testing.T, opts ...func(*tickets.Config)) *service {
	t.Helper()
	teams := func(c *tickets.Config) { c.Initial.TicketingChannels = []tickets.Team{support, technical} }
	svc, mem := storetest.NewService(t, append([]func(*tickets.Config){teams}, opts...)...)
	return &service{Service: svc, mem: mem}
}

// Inbound is the handler's one call, counted and handed to the service.
func (s *service) Inbound(ctx context.Context, in tickets.Inbound) (tickets.InboundResult, error) {
	s.calls.Add(1)
	return s.Service.Inbound(ctx, in)
}

// changes returns how many events the store appended since it was last called: every
// change the service makes (a ticket opened or closed, a message taken, a rating)
// appends one.
func (s *service) changes() int { return len(s.mem.Drain()) }

func newTestHandler(t *testing.T, s *service, cfg HandlerConfig) *Handler {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	h, err := NewHandler(cfg, s, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h
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

// event returns a JSON event of type typ for the test conversation, with fields set
// (a nil value deletes a field).
func event(typ string, fields map[string]any) string {
	m := map[string]any{"type": typ, "member": "64f1c0ffee0a1b2c3d4e5f60", "channel": "whatsapp-852", "app": "acme-support-bot"}
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// newRequest is a well-formed request with body; edit it to break it.
func newRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+testToken)
	r.Header.Set("Content-Type", "application/json")
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// assertJSON fails unless got and want hold the same JSON value.
func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s, want %s", bytes.TrimSpace(got), want)
	}
}

// seedOpen opens a ticket for the test conversation through the service (not counted as
// the handler's call), pending or, picked by testAgent, active.
func seedOpen(t *testing.T, s *service, status tickets.Status) *tickets.Ticket {
	t.Helper()
	ctx := context.Background()
	res, err := s.Service.Inbound(ctx, tickets.Inbound{Source: Source, ConversationID: testConv, Request: &tickets.Request{}})
	if err != nil || !res.Opened {
		t.Fatalf("seed: open: opened %v, %v", res.Opened, err)
	}
	tk := res.Ticket
	if status == tickets.StatusActive {
		if tk, err = s.Pick(ctx, tk.ID, testAgent); err != nil {
			t.Fatalf("seed: pick: %v", err)
		}
	}
	if tk.Status != status {
		t.Fatalf("seed: ticket is %s, want %s", tk.Status, status)
	}
	return tk
}

// seedClosed opens a ticket for the test conversation, and the source closes it.
func seedClosed(t *testing.T, s *service) {
	t.Helper()
	seedOpen(t, s, tickets.StatusActive)
	res, err := s.Service.Inbound(context.Background(), tickets.Inbound{Source: Source, ConversationID: testConv,
		Close: &tickets.SourceClose{Reason: "done"}})
	if err != nil || !res.Closed {
		t.Fatalf("seed: close: closed %v, %v", res.Closed, err)
	}
}

// seedActive opens a ticket for the test conversation and picks it.
func seedActive(t *testing.T, s *service) { seedOpen(t, s, tickets.StatusActive) }

// seedSaid is seedActive, and the customer wrote "helo" as message m1.
func seedSaid(t *testing.T, s *service) {
	t.Helper()
	seedActive(t, s)
	_, err := s.Service.Inbound(context.Background(), tickets.Inbound{Source: Source, ConversationID: testConv,
		Messages: []tickets.Message{{Text: "helo", SourceMessageID: "m1"}}})
	if err != nil {
		t.Fatalf("seed: message: %v", err)
	}
}

func TestHandler_Statuses(t *testing.T) {
	auth := func(v string) func(*http.Request) {
		return func(r *http.Request) {
			if v == "" {
				r.Header.Del("Authorization")
			} else {
				r.Header.Set("Authorization", v)
			}
		}
	}
	ctype := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Content-Type", v) }
	}
	invalid := fmt.Errorf("%w: label %q is not allowed", tickets.ErrInvalid, "x")
	tests := []struct {
		name   string
		cfg    func(*tickets.Config) // changes the service's Config
		seed   func(t *testing.T, s *service)
		fail   error // returned by the store from the handler's call on
		body   string
		edit   func(r *http.Request)
		status int
		want   string
		// handled is true when the request must reach the service (it then changes
		// something only when status < 300).
		handled bool
	}{
		{name: "RequestCreated", body: testdata(t, "live_chat_request.json"), status: 202,
			want: `{"ticket":1,"status":"pending"}`, handled: true},
		{name: "RequestWithoutText", body: event(typeRequest, nil), status: 202,
			want: `{"ticket":1,"status":"pending"}`, handled: true},
		{name: "RequestOpenAlready", seed: seedActive,
			body: testdata(t, "live_chat_request.json"), status: 200, want: `{"ticket":1,"status":"active"}`, handled: true},
		{name: "RequestNotConfigured", cfg: func(c *tickets.Config) { c.Initial = tickets.Settings{} }, body: testdata(t, "live_chat_request.json"),
			status: 503, want: `{"error":"not_configured"}`, handled: true},
		{name: "RequestDomainInvalid", fail: invalid, body: testdata(t, "live_chat_request.json"),
			status: 400, want: `{"error":"label \"x\" is not allowed"}`, handled: true},
		{name: "RequestInternal", fail: errors.New("store: redis: connection refused"), body: testdata(t, "live_chat_request.json"),
			status: 500, want: `{"error":"internal"}`, handled: true},
		{name: "ContentTypeWithCharset", body: testdata(t, "live_chat_request.json"), edit: ctype("application/json; charset=utf-8"),
			status: 202, want: `{"ticket":1,"status":"pending"}`, handled: true},

		{name: "MessageRelayed", seed: func(t *testing.T, s *service) { seedOpen(t, s, tickets.StatusPending) },
			body: testdata(t, "message.json"), status: 202, want: `{"ticket":1,"status":"pending"}`, handled: true},
		{name: "MessageDuplicate", seed: func(t *testing.T, s *service) {
			seedOpen(t, s, tickets.StatusActive)
			if _, err := s.Service.Inbound(context.Background(), tickets.Inbound{Source: Source, ConversationID: testConv,
				Messages: []tickets.Message{{Text: "a photo", SourceMessageID: "wamid.HBgLODUyOTg3NjU0MzIVAgASGBQ4RkM"}}}); err != nil {
				t.Fatalf("seed: message: %v", err)
			}
		}, body: testdata(t, "message.json"), status: 200, want: `{"ticket":1,"status":"active","duplicate":true}`, handled: true},
		{name: "MessageNoOpenTicket", body: testdata(t, "message.json"), status: 404, want: `{"error":"no_open_ticket"}`, handled: true},
		{name: "MessageClosedTicket", seed: seedClosed, body: testdata(t, "message.json"), status: 404,
			want: `{"error":"no_open_ticket"}`, handled: true},
		{name: "MessageAttachmentsOnly", seed: seedActive,
			body:   event(typeMessage, map[string]any{"message_id": "m1", "attachments": []map[string]string{{"url": "https://x.example/a.png"}}}),
			status: 202, want: `{"ticket":1,"status":"active"}`, handled: true},

		{name: "End", seed: seedActive, body: testdata(t, "end.json"),
			status: 200, want: `{"ticket":1,"status":"closed"}`, handled: true},
		{name: "EndNoOpenTicket", body: testdata(t, "end.json"), status: 404, want: `{"error":"no_open_ticket"}`, handled: true},
		{name: "EndTwice", seed: seedClosed, body: testdata(t, "end.json"), status: 404, want: `{"error":"no_open_ticket"}`, handled: true},

		{name: "CSAT", seed: seedClosed, body: testdata(t, "csat.json"), status: 200,
			want: `{"ticket":1,"csat":{"rating":4}}`, handled: true},
		{name: "CSATNoClosedTicket", body: testdata(t, "csat.json"), status: 404, want: `{"error":"no_closed_ticket"}`, handled: true},
		{name: "CSATWhileOpen", seed: seedActive, body: testdata(t, "csat.json"),
			status: 404, want: `{"error":"no_closed_ticket"}`, handled: true},
		{name: "CSATRatingZero", seed: seedClosed, body: event(typeCSAT, map[string]any{"rating": 0}), status: 400,
			want: `{"error":"field rating must be 1 to 5"}`},
		{name: "CSATRatingSix", seed: seedClosed, body: event(typeCSAT, map[string]any{"rating": 6}), status: 400,
			want: `{"error":"field rating must be 1 to 5"}`},
		{name: "CSATRatingMissing", seed: seedClosed, body: event(typeCSAT, nil), status: 400,
			want: `{"error":"missing field: rating"}`},
		{name: "CSATRatingString", seed: seedClosed, body: event(typeCSAT, map[string]any{"rating": "5"}), status: 400,
			want: `{"error":"field rating must not be a JSON string"}`},
		{name: "CSATRatingFraction", seed: seedClosed, body: event(typeCSAT, map[string]any{"rating": 4.5}), status: 400,
			want: `{"error":"field rating must not be a JSON number 4.5"}`},
		{name: "CSATCommentTooLong", seed: seedClosed, body: event(typeCSAT, map[string]any{"rating": 5, "comment": strings.Repeat("a", tickets.MaxCSATComment+1)}),
			status: 400, want: `{"error":"field comment is longer than 2000 bytes"}`},

		{name: "NoToken", body: testdata(t, "live_chat_request.json"), edit: auth(""), status: 401, want: `{"error":"unauthorized"}`},
		{name: "WrongToken", body: testdata(t, "live_chat_request.json"), edit: auth("Bearer fd_test_7Hq2xLw9pY"), status: 401, want: `{"error":"unauthorized"}`},
		{name: "TokenPrefix", body: testdata(t, "live_chat_request.json"), edit: auth("Bearer fd_test"), status: 401, want: `{"error":"unauthorized"}`},
		{name: "TokenLonger", body: testdata(t, "live_chat_request.json"), edit: auth("Bearer " + testToken + "x"), status: 401, want: `{"error":"unauthorized"}`},
		{name: "EmptyBearer", body: testdata(t, "live_chat_request.json"), edit: auth("Bearer "), status: 401, want: `{"error":"unauthorized"}`},
		{name: "TokenWithoutScheme", body: testdata(t, "live_chat_request.json"), edit: auth(testToken), status: 401, want: `{"error":"unauthorized"}`},
		{name: "BasicScheme", body: testdata(t, "live_chat_request.json"), edit: auth("Basic " + testToken), status: 401, want: `{"error":"unauthorized"}`},
		{name: "LowercaseScheme", body: testdata(t, "live_chat_request.json"), edit: auth("bearer " + testToken), status: 202,
			want: `{"ticket":1,"status":"pending"}`, handled: true},

		{name: "GET", body: "", edit: func(r *http.Request) { r.Method = http.MethodGet }, status: 405, want: `{"error":"method_not_allowed"}`},
		{name: "PUT", body: testdata(t, "end.json"), edit: func(r *http.Request) { r.Method = http.MethodPut }, status: 405, want: `{"error":"method_not_allowed"}`},
		{name: "TextPlain", body: testdata(t, "live_chat_request.json"), edit: ctype("text/plain"), status: 415, want: `{"error":"unsupported_media_type"}`},
		{name: "FormEncoded", body: "type=END", edit: ctype("application/x-www-form-urlencoded"), status: 415, want: `{"error":"unsupported_media_type"}`},
		{name: "NoContentType", body: testdata(t, "live_chat_request.json"), edit: func(r *http.Request) { r.Header.Del("Content-Type") },
			status: 415, want: `{"error":"unsupported_media_type"}`},

		{name: "MalformedJSON", body: `{"type":"END",`, status: 400, want: `{"error":"malformed JSON at byte 14: unexpected end of JSON input"}`},
		{name: "EmptyBody", body: ``, status: 400, want: `{"error":"malformed JSON at byte 0: unexpected end of JSON input"}`},
		{name: "TrailingGarbage", body: `{"type":"END"} x`, status: 400, want: `{"error":"malformed JSON at byte 16: invalid character 'x' after top-level value"}`},
		{name: "NotAnObject", body: `["END"]`, status: 400, want: `{"error":"the body must be a JSON object"}`},
		{name: "MissingType", body: event(typeEnd, map[string]any{"type": nil}), status: 400, want: `{"error":"missing field: type"}`},
		{name: "UnknownType", body: event("LIVE_CHAT_ACCEPTED", nil), status: 400,
			want: `{"error":"unknown type \"LIVE_CHAT_ACCEPTED\": want LIVE_CHAT_REQUEST, MESSAGE, MESSAGE_EDITED, MESSAGE_DELETED, END or CSAT"}`},
		{name: "MissingMember", body: event(typeRequest, map[string]any{"member": nil}), status: 400, want: `{"error":"missing field: member"}`},
		{name: "BlankMember", body: event(typeRequest, map[string]any{"member": "  "}), status: 400, want: `{"error":"missing field: member"}`},
		{name: "MissingChannel", body: event(typeMessage, map[string]any{"channel": nil, "message_id": "m", "text": "hi"}), status: 400, want: `{"error":"missing field: channel"}`},
		{name: "MissingApp", body: event(typeEnd, map[string]any{"app": ""}), status: 400, want: `{"error":"missing field: app"}`},
		{name: "MemberTooLong", body: event(typeRequest, map[string]any{"member": strings.Repeat("m", 257)}), status: 400,
			want: `{"error":"field member is longer than 256 bytes"}`},
		{name: "IDsTooLongTogether", body: event(typeRequest, map[string]any{"member": strings.Repeat("m", 100), "channel": strings.Repeat("c", 100), "app": strings.Repeat("a", 100)}),
			status: 400, want: `{"error":"fields app, channel and member are longer than 256 bytes together (URL path-escaped and joined by '/')"}`},
		{name: "MemberWrongType", body: event(typeRequest, map[string]any{"member": 42}), status: 400, want: `{"error":"field member must not be a JSON number"}`},
		{name: "LabelTooLong", body: event(typeRequest, map[string]any{"label": strings.Repeat("l", 81)}), status: 400,
			want: `{"error":"field label is longer than 80 bytes"}`},
		{name: "SummaryTooLong", body: event(typeRequest, map[string]any{"summary": strings.Repeat("s", 4001)}), status: 400,
			want: `{"error":"field summary is longer than 4000 bytes"}`},
		{name: "RequestTextTooLong", body: event(typeRequest, map[string]any{"text": strings.Repeat("t", tickets.MaxTextBytes+1)}), status: 400,
			want: `{"error":"field text is longer than 40000 bytes"}`},
		{name: "ProfileObject", body: event(typeRequest, map[string]any{"profile": map[string]any{"name": "Mei", "address": map[string]any{"city": "HK"}}}),
			status: 400, want: `{"error":"field profile.address must be a string, number or boolean"}`},
		{name: "ProfileArray", body: event(typeRequest, map[string]any{"profile": map[string]any{"tags": []string{"a"}}}),
			status: 400, want: `{"error":"field profile.tags must be a string, number or boolean"}`},
		{name: "ProfileNotObject", body: event(typeRequest, map[string]any{"profile": "Mei"}),
			status: 400, want: `{"error":"field profile must not be a JSON string"}`},
		{name: "ProfileTooManyFields", body: event(typeRequest, map[string]any{"profile": manyFields(101)}),
			status: 400, want: `{"error":"field profile has more than 100 fields"}`},
		{name: "ProfileValueTooLong", body: event(typeRequest, map[string]any{"profile": map[string]any{"email": strings.Repeat("e", 2001)}}),
			status: 400, want: `{"error":"field profile.email is longer than 2000 bytes"}`},
		{name: "ProfileEmptyKey", body: event(typeRequest, map[string]any{"profile": map[string]any{"": "x"}}),
			status: 400, want: `{"error":"field profile has a field name that is empty or longer than 256 bytes"}`},
		{name: "MessageIDMissing", seed: seedActive, body: event(typeMessage, map[string]any{"text": "hi"}),
			status: 400, want: `{"error":"missing field: message_id"}`},
		{name: "MessageIDTooLong", seed: seedActive,
			body:   event(typeMessage, map[string]any{"text": "hi", "message_id": strings.Repeat("i", 257)}),
			status: 400, want: `{"error":"field message_id is longer than 256 bytes"}`},
		{name: "MessageEmpty", seed: seedActive, body: event(typeMessage, map[string]any{"message_id": "m1"}),
			status: 400, want: `{"error":"missing field: text (or attachments)"}`},
		{name: "MessageTextTooLong", seed: seedActive,
			body:   event(typeMessage, map[string]any{"message_id": "m1", "text": strings.Repeat("t", tickets.MaxTextBytes+1)}),
			status: 400, want: `{"error":"field text is longer than 40000 bytes"}`},
		{name: "TooManyAttachments", seed: seedActive,
			body:   event(typeMessage, map[string]any{"message_id": "m1", "attachments": manyAttachments(tickets.MaxAttachments + 1)}),
			status: 400, want: `{"error":"field attachments has more than 20 items"}`},
		{name: "AttachmentNoURL", seed: seedActive,
			body:   event(typeMessage, map[string]any{"message_id": "m1", "attachments": []map[string]string{{"name": "a.png"}}}),
			status: 400, want: `{"error":"missing field: attachments[0].url"}`},
		{name: "AttachmentRelativeURL", seed: seedActive,
			body:   event(typeMessage, map[string]any{"message_id": "m1", "attachments": []map[string]string{{"url": "https://x.example/a"}, {"url": "/files/a.png"}}}),
			status: 400, want: `{"error":"field attachments[1].url must be an absolute http or https URL"}`},
		{name: "AttachmentFTP", seed: seedActive,
			body:   event(typeMessage, map[string]any{"message_id": "m1", "attachments": []map[string]string{{"url": "ftp://x.example/a.png"}}}),
			status: 400, want: `{"error":"field attachments[0].url must be an absolute http or https URL"}`},
		{name: "AttachmentJavascript", seed: seedActive,
			body:   event(typeMessage, map[string]any{"message_id": "m1", "attachments": []map[string]string{{"url": "javascript:alert(1)"}}}),
			status: 400, want: `{"error":"field attachments[0].url must be an absolute http or https URL"}`},
		{name: "HistoryTooLong", body: event(typeRequest, map[string]any{"history": manyHistory(tickets.MaxHistoryLines + 1)}),
			status: 400, want: `{"error":"field history has more than 100 items"}`},
		{name: "HistoryNotAList", body: event(typeRequest, map[string]any{"history": "hi"}),
			status: 400, want: `{"error":"field history must not be a JSON string"}`},
		{name: "HistoryUnknownFrom", body: event(typeRequest, map[string]any{"history": []map[string]string{
			{"from": "bot", "text": "hi", "at": "2026-11-20T18:02:11Z"}, {"from": "agent", "text": "hi", "at": "2026-11-20T18:02:11Z"}}}),
			status: 400, want: `{"error":"field history[1].from must be \"customer\" or \"bot\""}`},
		{name: "HistoryNoText", body: event(typeRequest, map[string]any{"history": []map[string]string{{"from": "bot", "at": "2026-11-20T18:02:11Z"}}}),
			status: 400, want: `{"error":"missing field: history[0].text"}`},
		{name: "HistoryNoTime", body: event(typeRequest, map[string]any{"history": []map[string]string{{"from": "bot", "text": "hi"}}}),
			status: 400, want: `{"error":"missing field: history[0].at"}`},
		{name: "HistoryBadTime", body: event(typeRequest, map[string]any{"history": []map[string]string{{"from": "bot", "text": "hi", "at": "yesterday"}}}),
			status: 400, want: `{"error":"field history[0].at must be an RFC 3339 time, like 2026-01-02T15:04:05Z"}`},
		{name: "HistoryLineTooLong", body: event(typeRequest, map[string]any{"history": []map[string]string{
			{"from": "bot", "text": strings.Repeat("x", tickets.MaxHistoryLineBytes+1), "at": "2026-11-20T18:02:11Z"}}}),
			status: 400, want: `{"error":"field history[0].text is longer than 4000 bytes"}`},
		{name: "HistoryTooMuchText", body: event(typeRequest, map[string]any{"history": func() []map[string]string {
			h := manyHistory(tickets.MaxHistoryBytes/tickets.MaxHistoryLineBytes + 1)
			for _, l := range h {
				l["text"] = strings.Repeat("x", tickets.MaxHistoryLineBytes)
			}
			return h
		}()}),
			status: 400, want: `{"error":"field history holds 36000 bytes of text, more than 32768"}`},
		{name: "RequestWithHistory", body: event(typeRequest, map[string]any{"history": manyHistory(tickets.MaxHistoryLines)}),
			status: 202, want: `{"ticket":1,"status":"pending"}`, handled: true},
		{name: "Edited", seed: seedSaid, body: event(typeEdited, map[string]any{"message_id": "m1", "text": "hello"}),
			status: 200, want: `{"ticket":1,"status":"active"}`, handled: true},
		{name: "EditedAgain", seed: seedSaid, body: event(typeEdited, map[string]any{"message_id": "m1", "text": "helo"}),
			status: 200, want: `{"ticket":1,"status":"active","duplicate":true}`, handled: true},
		{name: "Deleted", seed: seedSaid, body: event(typeDeleted, map[string]any{"message_id": "m1"}),
			status: 200, want: `{"ticket":1,"status":"active"}`, handled: true},
		{name: "EditedUnknownMessage", seed: seedSaid, body: event(typeDeleted, map[string]any{"message_id": "m2"}),
			status: 404, want: `{"error":"no_such_message"}`, handled: true},
		{name: "EditedNoTicket", body: event(typeEdited, map[string]any{"message_id": "m1", "text": "hello"}),
			status: 404, want: `{"error":"no_open_ticket"}`, handled: true},
		{name: "EditedNoMessageID", seed: seedSaid, body: event(typeEdited, map[string]any{"text": "hello"}),
			status: 400, want: `{"error":"missing field: message_id"}`},
		{name: "EditedNoText", seed: seedSaid, body: event(typeEdited, map[string]any{"message_id": "m1"}),
			status: 400, want: `{"error":"missing field: text"}`},
		{name: "EditedTooLong", seed: seedSaid, body: event(typeEdited, map[string]any{"message_id": "m1", "text": strings.Repeat("x", 40001)}),
			status: 400, want: `{"error":"field text is longer than 40000 bytes"}`},
		{name: "DeletedNoMessageID", seed: seedSaid, body: event(typeDeleted, nil),
			status: 400, want: `{"error":"missing field: message_id"}`},
		{name: "ReasonTooLong", seed: seedActive,
			body:   event(typeEnd, map[string]any{"reason": strings.Repeat("r", 2001)}),
			status: 400, want: `{"error":"field reason is longer than 2000 bytes"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*tickets.Config)
			if tt.cfg != nil {
				opts = append(opts, tt.cfg)
			}
			s := newService(t, opts...)
			if tt.seed != nil {
				tt.seed(t, s)
			}
			s.changes() // the seed's
			s.mem.Fail(tt.fail)
			r := newRequest(tt.body)
			if tt.edit != nil {
				tt.edit(r)
			}
			w := serve(newTestHandler(t, s, HandlerConfig{}), r)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d (body %s)", w.Code, tt.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			assertJSON(t, w.Body.Bytes(), tt.want)
			if calls := s.calls.Load(); tt.handled != (calls > 0) {
				t.Errorf("the ticket service was called %d times, want handled=%v", calls, tt.handled)
			}
			if changes := s.changes(); tt.status >= 300 && changes != 0 {
				t.Errorf("a %d changed something (%d changes)", tt.status, changes)
			}
		})
	}
}

func manyFields(n int) map[string]any {
	m := map[string]any{}
	for i := range n {
		m["f"+strconv.Itoa(i)] = "v"
	}
	return m
}

func manyHistory(n int) []map[string]string {
	h := make([]map[string]string, n)
	for i := range h {
		h[i] = map[string]string{"from": "customer", "text": "line " + strconv.Itoa(i), "at": "2026-11-20T18:02:11Z"}
	}
	return h
}

func manyAttachments(n int) []map[string]string {
	as := make([]map[string]string, n)
	for i := range as {
		as[i] = map[string]string{"url": fmt.Sprintf("https://x.example/%d.png", i)}
	}
	return as
}

// TestHandler_Fields checks what each event hands to the ticket service.
func TestHandler_Fields(t *testing.T) {
	s := newService(t)
	h := newTestHandler(t, s, HandlerConfig{})
	steps := []struct {
		body   string
		status int
	}{
		{testdata(t, "live_chat_request.json"), 202},
		{testdata(t, "message.json"), 202},
		{testdata(t, "end.json"), 200},
		{testdata(t, "csat.json"), 200},
	}
	for _, st := range steps {
		if w := serve(h, newRequest(st.body)); w.Code != st.status {
			t.Fatalf("status = %d, want %d (%s)", w.Code, st.status, w.Body)
		}
	}

	ctx := context.Background()
	tk, err := s.mem.FindLastClosed(ctx, "webhook", "acme-support-bot/whatsapp-852/64f1c0ffee0a1b2c3d4e5f60")
	if err != nil {
		t.Fatalf("the conversation has no closed ticket: %v", err)
	}
	// The request: who the customer is, the team its label names, its summary.
	gotReq := tickets.Request{Customer: tk.Customer, Label: tk.Team.Label, Summary: tk.Summary, Raw: tk.Raw, History: tk.History}
	wantReq := tickets.Request{
		Customer: tickets.Customer{
			ID: "64f1c0ffee0a1b2c3d4e5f60", Name: "Mei Chan", Email: "mei.chan@example.com", Phone: "+85298765432",
			Fields: map[string]string{"plan": "Fibre 500", "customer_since": "2019", "vip": "true"},
		},
		Label:   "Technical Team",
		Summary: "Customer chose 'Internet problems' > 'Talk to a human'",
		// The webhook is Frontdesk's own API: the shapes are docs/webhook.md's (no vendor
		// page). Times in UTC, whatever offset they came with; unknown fields (quick_reply)
		// ignored.
		History: []tickets.HistoryLine{
			{From: tickets.HistoryBot, Text: "Hi Mei! What can I help you with?", At: time.Date(2026, 11, 20, 18, 2, 11, 0, time.UTC)},
			{From: tickets.HistoryCustomer, Text: "Internet problems", At: time.Date(2026, 11, 20, 10, 2, 30, 0, time.UTC)},
			{From: tickets.HistoryBot, Text: "Have you tried restarting your router?", At: time.Date(2026, 11, 20, 18, 2, 31, 250e6, time.UTC)},
			{From: tickets.HistoryCustomer, Text: "Talk to a human", At: time.Date(2026, 11, 20, 18, 3, 5, 0, time.UTC)},
		},
	}
	if !reflect.DeepEqual(gotReq, wantReq) {
		t.Errorf("ticket opened for\n%+v\nwant\n%+v", gotReq, wantReq)
	}
	if tk.Team != technical {
		t.Errorf("team = %+v, want %+v", tk.Team, technical)
	}
	first := tickets.Message{
		Direction: tickets.FromCustomer, SourceMessageID: "wamid.HBgLODUyOTg3NjU0MzIVAgASGBQzQTk",
		Text: "My router keeps dropping the connection every evening, can someone help?",
	}
	if tk.Opening != first.Text {
		t.Errorf("opening = %q, want %q", tk.Opening, first.Text)
	}
	// The transcript: the opening message, then the MESSAGE event's.
	msgs, err := s.Transcript(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range msgs {
		msgs[i].ID, msgs[i].At = "", time.Time{} // the service's stamps
	}
	wantMsgs := []tickets.Message{first, {
		Direction: tickets.FromCustomer, SourceMessageID: "wamid.HBgLODUyOTg3NjU0MzIVAgASGBQ4RkM",
		Text:        "Here is a photo of the lights on the router",
		Attachments: []tickets.Attachment{{URL: "https://cdn.example.com/media/8fc1/router.jpg", Name: "router.jpg", MIME: "image/jpeg", Upload: true}},
	}}
	if !reflect.DeepEqual(msgs, wantMsgs) {
		t.Errorf("transcript\n%+v\nwant\n%+v", msgs, wantMsgs)
	}
	// The END and the CSAT.
	if !tk.BySource || tk.CloseReason != "customer typed 'menu' and went back to the bot" {
		t.Errorf("closed by source %v, reason %q", tk.BySource, tk.CloseReason)
	}
	if tk.CSAT == nil || tk.CSAT.Rating != 4 || tk.CSAT.Comment != "Quick and friendly" {
		t.Errorf("CSAT = %+v", tk.CSAT)
	}

	t.Run("EndDefaultReason", func(t *testing.T) {
		open := seedOpen(t, s, tickets.StatusActive)
		if w := serve(h, newRequest(event(typeEnd, nil))); w.Code != 200 {
			t.Fatalf("status = %d (%s)", w.Code, w.Body)
		}
		tk, err := s.Get(ctx, open.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != tickets.StatusClosed || tk.CloseReason != "ended by the chatbot" {
			t.Errorf("ticket %s, reason %q; want closed, \"ended by the chatbot\"", tk.Status, tk.CloseReason)
		}
	})
}

// TestHandler_BodyLimit: a body of exactly 1 MiB is read; one byte more is refused, whether
// or not the request says its length up front.
func TestHandler_BodyLimit(t *testing.T) {
	pad := func(n int) string {
		s := event(typeEnd, nil)
		return s + strings.Repeat(" ", n-len(s)) // white space after a JSON value is allowed
	}
	tests := []struct {
		name    string
		body    string
		unknown bool // hide the length (chunked)
		status  int
	}{
		{"Exactly1MiB", pad(1 << 20), false, 404},
		{"OneByteOver", pad(1<<20 + 1), false, 413},
		{"OneByteOverChunked", pad(1<<20 + 1), true, 413},
		{"FarOverChunked", pad(3 << 20), true, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newService(t)
			r := newRequest(tt.body)
			if tt.unknown {
				r.Body = io.NopCloser(io.MultiReader(strings.NewReader(tt.body)))
				r.ContentLength = -1
			}
			w := serve(newTestHandler(t, s, HandlerConfig{}), r)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tt.status, w.Body)
			}
			if tt.status == 413 {
				assertJSON(t, w.Body.Bytes(), `{"error":"body_too_large"}`)
				if calls := s.calls.Load(); calls != 0 {
					t.Errorf("the ticket service was called %d times", calls)
				}
			}
		})
	}
}

// TestHandler_RateLimit: a member who floods gets 429 with Retry-After, and another member
// is still served.
func TestHandler_RateLimit(t *testing.T) {
	s := newService(t)
	h := newTestHandler(t, s, HandlerConfig{MemberRate: 0.01, MemberBurst: 3})
	flood := func(member string) *httptest.ResponseRecorder {
		return serve(h, newRequest(event(typeRequest, map[string]any{"member": member})))
	}
	for i := range 3 {
		if w := flood("flooder"); w.Code != 202 && w.Code != 200 {
			t.Fatalf("request %d: status = %d (%s)", i, w.Code, w.Body)
		}
	}
	s.changes() // the first three's
	w := flood("flooder")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429 (%s)", w.Code, w.Body)
	}
	assertJSON(t, w.Body.Bytes(), `{"error":"rate_limited"}`)
	if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After = %q, want whole seconds ≥ 1", w.Header().Get("Retry-After"))
	}
	if changes := s.changes(); changes != 0 {
		t.Errorf("a 429 changed something (%d changes)", changes)
	}
	if w := flood("someone-else"); w.Code != http.StatusAccepted {
		t.Errorf("another member: status = %d, want 202 (%s)", w.Code, w.Body)
	}
	// The same member id in another app is another member.
	w = serve(h, newRequest(event(typeRequest, map[string]any{"member": "flooder", "app": "other-bot"})))
	if w.Code != http.StatusAccepted {
		t.Errorf("same member id in another app: status = %d, want 202 (%s)", w.Code, w.Body)
	}
}

// TestHandler_Logs: nothing the customer wrote and not the token reaches the logs, even
// when the event fails.
func TestHandler_Logs(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	s := newService(t)
	s.mem.Fail(errors.New("store: redis: i/o timeout"))
	h, err := NewHandler(HandlerConfig{Token: testToken}, s, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	secretText := "my card number is 4111 1111 1111 1111"
	for _, body := range []string{
		event(typeRequest, map[string]any{"text": secretText, "summary": secretText, "profile": map[string]any{"note": secretText}}),
		event(typeMessage, map[string]any{"message_id": "m1", "text": secretText}),
		event(typeCSAT, map[string]any{"rating": 1, "comment": secretText}),
	} {
		if w := serve(h, newRequest(body)); w.Code != 500 {
			t.Fatalf("status = %d (%s)", w.Code, w.Body)
		}
	}
	serve(h, func() *http.Request {
		r := newRequest(event(typeEnd, nil))
		r.Header.Set("Authorization", "Bearer "+testToken+"-wrong")
		return r
	}())
	if logs.FilterMessage("event failed").Len() != 3 {
		t.Errorf("want 3 error logs, got %v", logs.All())
	}
	for _, e := range logs.All() {
		line := fmt.Sprint(e.Message, e.ContextMap())
		if strings.Contains(line, "4111") || strings.Contains(line, testToken) {
			t.Errorf("log leaks customer text or the token: %s", line)
		}
	}
}

func TestNewHandler(t *testing.T) {
	f := newService(t)
	tests := []struct {
		name string
		cfg  HandlerConfig
		tk   Tickets
		ok   bool
	}{
		{"Defaults", HandlerConfig{Token: testToken}, f, true},
		{"NoToken", HandlerConfig{}, f, false},
		{"ShortToken", HandlerConfig{Token: "fd_short"}, f, false},
		{"TokenWithSpace", HandlerConfig{Token: "fd_test 7Hq2xLw9pZ"}, f, false},
		{"TokenWithNewline", HandlerConfig{Token: testToken + "\n"}, f, false},
		{"NilTickets", HandlerConfig{Token: testToken}, nil, false},
		{"NegativeRate", HandlerConfig{Token: testToken, MemberRate: -1}, f, false},
		{"NegativeBurst", HandlerConfig{Token: testToken, MemberBurst: -1}, f, false},
		{"NegativeMaxMembers", HandlerConfig{Token: testToken, MaxMembers: -1}, f, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHandler(tt.cfg, tt.tk, nil)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && h == nil {
				t.Fatal("nil handler")
			}
		})
	}
	var cfg HandlerConfig
	cfg.setDefaults()
	if cfg.MemberRate != 5 || cfg.MemberBurst != 20 {
		t.Errorf("defaults: rate %v burst %d, want 5 and 20", cfg.MemberRate, cfg.MemberBurst)
	}
}
