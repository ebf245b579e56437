// Package metricstest reads what Frontdesk serves at /metrics, for tests: internal/app's
// of the metrics themselves and cmd/frontdesk's of the whole app.
package metricstest

import (
	"bufio"
	"strconv"
	"strings"
)

// Sample returns the value of the first series of metric name in body (the text
// exposition format) that has every label of labels ("key", "value", ...).
func Sample(body, name string, labels ...string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
next:
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ') // label values may hold spaces
		if i < 0 || strings.HasPrefix(line, "#") {
			continue
		}
		series, value := line[:i], line[i+1:]
		if series != name && !strings.HasPrefix(series, name+"{") {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if !strings.Contains(series, labels[i]+"="+strconv.Quote(labels[i+1])) {
				continue next
			}
		}
		v, err := strconv.ParseFloat(value, 64)
		return v, err == nil
	}
	return 0, false
}
