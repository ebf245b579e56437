package main

import (
	"net/http"
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
