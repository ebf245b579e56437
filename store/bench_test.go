package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontdeskhq/frontdesk/store/redistest"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// BenchmarkInbound is a source's messages to open tickets from many goroutines at once
// (a webhook's concurrent requests): the store's side of relaying customer → Slack. It
// reports the CPU time per message of this process and of Redis.
func BenchmarkInbound(b *testing.B) {
	c, prefix := redistest.Open(b)
	r, err := New(c, Config{Prefix: prefix, DedupTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	r.SetRoutes(routeAll(testGroup))
	ctx := context.Background()
	const convs = 600
	for i := range convs {
		if _, _, err := openInbound(ctx, r, newTicket(fmt.Sprint("conv-", i)), nil); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.SetParallelism(32)
	redis0, self0 := redisCPU(b, c), selfCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			m := customerMsg(fmt.Sprint("m", i), fmt.Sprint("src-", i))
			w := tickets.InboundWrite{Source: "webhook", ConversationID: fmt.Sprint("conv-", i%convs), Messages: []tickets.Message{m}}
			if _, err := r.Inbound(ctx, w); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((selfCPU()-self0).Microseconds())/float64(b.N), "go-µs/op")
	b.ReportMetric(float64((redisCPU(b, c)-redis0).Microseconds())/float64(b.N), "redis-µs/op")
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time Redis has used (INFO cpu).
func redisCPU(b *testing.B, c redis.UniversalClient) time.Duration {
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}
