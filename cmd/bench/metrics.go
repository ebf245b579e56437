package main

import (
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// metricsLines is Frontdesk's /metrics page at addr, line by line (none if it cannot be
// had).
func metricsLines(addr string) []string {
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return strings.Split(sb.String(), "\n")
}

// scrape reads some of Frontdesk's Prometheus metrics.
func scrape(addr string, names ...string) map[string]float64 {
	out := map[string]float64{}
	for _, line := range metricsLines(addr) {
		for _, n := range names {
			if v, ok := strings.CutPrefix(line, n+" "); ok {
				out[n], _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		}
	}
	return out
}

// scrapeSum adds up a Prometheus counter's series whose labels contain match.
func scrapeSum(addr, name, match string) float64 {
	var sum float64
	for _, line := range metricsLines(addr) {
		if strings.HasPrefix(line, name+"{") && strings.Contains(line, match) {
			if i := strings.LastIndexByte(line, ' '); i > 0 {
				v, _ := strconv.ParseFloat(line[i+1:], 64)
				sum += v
			}
		}
	}
	return sum
}

// histogram is a Prometheus histogram's cumulative bucket counts by upper bound, as
// scraped (+Inf included).
type histogram map[float64]float64

// scrapeHistograms reads the named histograms from addr's /metrics in one fetch (empty
// ones when it cannot).
func scrapeHistograms(addr string, names ...string) map[string]histogram {
	out := map[string]histogram{}
	for _, n := range names {
		out[n] = histogram{}
	}
	if addr == "" {
		return out
	}
	for _, line := range metricsLines(addr) {
		name, rest, ok := strings.Cut(line, "_bucket{")
		h := out[name]
		if !ok || h == nil {
			continue
		}
		i := strings.Index(rest, `le="`)
		j := strings.LastIndexByte(rest, ' ')
		if i < 0 || j < i {
			continue
		}
		le, _, _ := strings.Cut(rest[i+4:], `"`)
		bound, err1 := strconv.ParseFloat(le, 64) // "+Inf" parses as +Inf
		count, err2 := strconv.ParseFloat(rest[j+1:], 64)
		if err1 == nil && err2 == nil {
			h[bound] += count
		}
	}
	return out
}

// since is h less before, bucket by bucket: what was observed in between.
func (h histogram) since(before histogram) histogram {
	out := histogram{}
	for b, n := range h {
		out[b] = n - before[b]
	}
	return out
}

// total is how many observations h holds.
func (h histogram) total() float64 { return h[math.Inf(1)] }

// quantile is the upper bound of the bucket that holds the q-quantile (0 when empty).
func (h histogram) quantile(q float64) float64 {
	n := h.total()
	if n == 0 {
		return 0
	}
	bounds := slices.Sorted(maps.Keys(h))
	for _, b := range bounds {
		if h[b] >= q*n {
			return b
		}
	}
	return math.Inf(1)
}

// over is the share of h's observations above bound, counted by buckets: those in
// buckets whose upper bound is above it.
func (h histogram) over(bound float64) float64 {
	n := h.total()
	if n == 0 {
		return 0
	}
	below := 0.0
	for b, c := range h {
		if b <= bound && c > below {
			below = c
		}
	}
	return 1 - below/n
}
