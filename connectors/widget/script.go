package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

//go:embed widget.js
var widgetJS string

// configMarker is where widget.js takes its configuration.
const configMarker = "/*CONFIG*/{}"

// scriptConfig is what the script is told about its look and limits.
type scriptConfig struct {
	Title     string `json:"title"`
	Color     string `json:"color"`
	Greeting  string `json:"greeting"`
	PreChat   bool   `json:"prechat"`
	MaxLength int    `json:"maxLength"`
	// Files is what visitors may attach; nil when they cannot.
	Files *scriptFiles `json:"files,omitempty"`
}

// scriptFiles tells the script which files to offer: the script checks them before
// sending, the server again when they arrive.
type scriptFiles struct {
	MaxBytes int      `json:"maxBytes"`
	Types    []string `json:"types"`
	// Refusals the script shows, as the server words them.
	TooLarge  string `json:"tooLarge"`
	WrongType string `json:"wrongType"`
}

// script is widget.js with the configuration in it, plain and gzipped, built once.
type script struct {
	plain, gz []byte
	etag      string
}

func newScript(cfg Config, lim limits, files bool) (*script, error) {
	sc := scriptConfig{
		Title: cfg.Title, Color: cfg.Color, Greeting: cfg.Greeting, PreChat: cfg.PreChat, MaxLength: lim.MaxMessageBytes,
	}
	if files {
		sc.Files = &scriptFiles{MaxBytes: cfg.MaxFileBytes, Types: cfg.FileTypes,
			TooLarge:  tooLargeWords(cfg.MaxFileBytes),
			WrongType: wrongType(cfg.FileTypes)}
	}
	// encoding/json escapes <, >, &, U+2028 and U+2029, so the values can close neither
	// a string nor a <script> element: the configuration is data, never code.
	conf, err := json.Marshal(sc)
	if err != nil {
		return nil, err
	}
	if strings.Count(widgetJS, configMarker) != 1 {
		return nil, fmt.Errorf("widget: widget.js must hold %s once", configMarker)
	}
	plain := []byte(strings.Replace(widgetJS, configMarker, string(conf), 1))
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(plain)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(plain)
	return &script{plain: plain, gz: gz.Bytes(), etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}, nil
}

// serveScript serves widget.js, gzipped when the browser takes it, cached for five
// minutes and revalidated by ETag after.
func (w *Widget) serveScript(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", w.script.etag)
	h.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == w.script.etag {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	body := w.script.plain
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = w.script.gz
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	_, _ = rw.Write(body)
}

func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// ScriptSizes are the sizes in bytes of the served script, plain and gzipped.
func (w *Widget) ScriptSizes() (plain, gzipped int) { return len(w.script.plain), len(w.script.gz) }
