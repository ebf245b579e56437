package vitallytest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxPageSize is the largest page a list route answers, and its default size.
const MaxPageSize = 100

// cursorPrefix starts every decoded cursor, so that made-up cursors are rejected.
const cursorPrefix = "offset:"

// page is where a list route's page starts and how long it is at most.
type page struct {
	offset, limit int
}

// parsePage reads the limit and from parameters of a list route.
func parsePage(q url.Values) (page, error) {
	p := page{limit: MaxPageSize}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > MaxPageSize {
			return page{}, fmt.Errorf("limit must be a whole number from 1 to %d", MaxPageSize)
		}
		p.limit = n
	}
	if q.Has("from") {
		n, err := decodeCursor(q.Get("from"))
		if err != nil {
			return page{}, err
		}
		p.offset = n
	}
	return p, nil
}

// writePage answers the page p of items as {"results": [...], "next": cursor or null}.
func writePage[T any](w http.ResponseWriter, p page, items []T) {
	start := min(p.offset, len(items))
	end := min(start+p.limit, len(items))
	var next *string
	if end < len(items) {
		c := encodeCursor(end)
		next = &c
	}
	results := append([]T{}, items[start:end]...)
	writeJSON(w, map[string]any{"results": results, "next": next})
}

// encodeCursor returns the cursor of the page starting at offset.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

// decodeCursor returns the offset a cursor made by encodeCursor holds.
func decodeCursor(cursor string) (int, error) {
	bad := errors.New("invalid from cursor")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, bad
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, bad
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 {
		return 0, bad
	}
	return n, nil
}
