package store

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// pipeliner runs the relay's scripts (inboundScript, addMessageScript) that many
// goroutines call at once — a webhook's concurrent requests, the agents' messages of many
// inbox channels — in shared pipelines: a call is sent at once when fewer than
// maxPipelines pipelines are in flight, and otherwise waits for one to come back and goes
// with every call that queued meanwhile, in one write and one read. Under load Redis and
// Frontdesk then pay the round trip's system calls once for many scripts; a lone call
// waits for nothing. There is no timer: nothing is held back to make a batch.
//
// go-redis's own autopipeliner (AutoPipeline) was measured here and refused: it holds
// a batch back until the callers of the last one have sent their next command, which
// event-driven callers never do, and the relay Slack → customer lost a third of its
// throughput.
//
// A pipeline that fails on the connection may be sent again by go-redis, as a lone
// command may: the scripts that go through it find the message they already added
// (its seen key) and change nothing.
type pipeliner struct {
	c        redis.UniversalClient
	mu       sync.Mutex
	queue    []*pipelined
	inFlight int
}

// pipelined is a call waiting in the queue.
type pipelined struct {
	cmd  *redis.Cmd
	done chan struct{}
}

// maxPipelines is how many pipelines a store has in flight at once.
const maxPipelines = 2

// pipelineTimeout bounds a pipeline whose callers have all given up.
const pipelineTimeout = 30 * time.Second

// run runs script with keys and args, as script.Run does (EVALSHA, and EVAL when Redis
// does not have the script yet).
func (p *pipeliner) run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	if err := ctx.Err(); err != nil {
		cmd := redis.NewCmd(ctx)
		cmd.SetErr(err)
		return cmd
	}
	cmdArgs := make([]any, 0, 3+len(keys)+len(args))
	cmdArgs = append(cmdArgs, "evalsha", script.Hash(), len(keys))
	for _, k := range keys {
		cmdArgs = append(cmdArgs, k)
	}
	cmdArgs = append(cmdArgs, args...)
	c := &pipelined{cmd: redis.NewCmd(ctx, cmdArgs...), done: make(chan struct{})}
	p.mu.Lock()
	p.queue = append(p.queue, c)
	start := p.inFlight < maxPipelines
	if start {
		p.inFlight++
	}
	p.mu.Unlock()
	if start {
		p.flush()
	}
	<-c.done
	if err := c.cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		return script.Run(ctx, p.c, keys, args...) // loads it
	}
	return c.cmd
}

// flush sends what is queued; when more queued meanwhile, a new goroutine takes its place
// in flight and sends that, so that the caller whose goroutine this is waits for its own
// call only.
func (p *pipeliner) flush() {
	p.mu.Lock()
	batch := p.queue
	p.queue = nil
	p.mu.Unlock()
	p.send(batch)
	p.mu.Lock()
	more := len(p.queue) > 0
	if !more {
		p.inFlight--
	}
	p.mu.Unlock()
	if more {
		go p.flush()
	}
}

// send runs batch, alone or as one pipeline, and tells each caller.
func (p *pipeliner) send(batch []*pipelined) {
	ctx, cancel := context.WithTimeout(context.Background(), pipelineTimeout)
	defer cancel()
	if len(batch) == 1 {
		_ = p.c.Process(ctx, batch[0].cmd)
	} else {
		pipe := p.c.Pipeline()
		for _, c := range batch {
			_ = pipe.Process(ctx, c.cmd)
		}
		_, _ = pipe.Exec(ctx) // each command has its own answer or error
	}
	for _, c := range batch {
		close(c.done)
	}
}
