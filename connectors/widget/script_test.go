package widget

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// maxScriptGzip is the most widget.js may weigh gzipped (issue 12: under 30 KB).
const maxScriptGzip = 30 << 10

func TestScript(t *testing.T) {
	hostile := `</script><script>alert("x")</script>` + "\u2028'\"\\"
	r := newRig(t, func(c *rigConfig) { c.Title, c.Greeting, c.PreChat = hostile, hostile, true })
	plain, gz := r.w.ScriptSizes()
	t.Logf("widget.js: %d bytes, %d gzipped", plain, gz)
	if gz >= maxScriptGzip {
		t.Errorf("widget.js is %d bytes gzipped, want under %d", gz, maxScriptGzip)
	}

	get := func(h map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+ScriptPath, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultTransport.RoundTrip(req) // no transparent gunzip
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, body := get(map[string]string{"Accept-Encoding": "gzip, br"})
	if res.Header.Get("Content-Encoding") != "gzip" || len(body) != gz {
		t.Fatalf("with gzip accepted: %s, %d bytes", res.Header.Get("Content-Encoding"), len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	res, js := get(nil)
	if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(js, unzipped) {
		t.Fatal("the plain and gzipped scripts differ")
	}
	for k, want := range map[string]string{"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if res, _ := get(map[string]string{"If-None-Match": res.Header.Get("ETag")}); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}

	// The configuration is JSON data in the script: nothing in it can end the string,
	// the script element or the statement.
	src := string(js)
	if strings.Contains(strings.ToLower(src), "</script") || strings.Contains(src, "\u2028") {
		t.Fatal("a configured value reached the script unescaped")
	}
	start := strings.Index(src, "var C = ") + len("var C = ")
	dec := json.NewDecoder(strings.NewReader(src[start:]))
	var conf scriptConfig
	if err := dec.Decode(&conf); err != nil {
		t.Fatalf("the configuration is not one JSON value: %v", err)
	}
	if conf.Title != hostile || conf.Greeting != hostile || !conf.PreChat || conf.Color != DefaultColor || conf.MaxLength != 4000 {
		t.Fatalf("configuration %+v", conf)
	}
	if rest := strings.TrimSpace(src[start+int(dec.InputOffset()):]); !strings.HasPrefix(rest, ";") {
		t.Fatalf("the configuration is followed by %.20q, want ;", rest)
	}
	// The script renders data as text only.
	if strings.Contains(src, "innerHTML") || strings.Contains(src, "insertAdjacentHTML") || strings.Contains(src, "eval(") {
		t.Error("widget.js uses an HTML sink")
	}
}
