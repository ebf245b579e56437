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
// with the calls that queued meanwhile (up to maxBatch), in one write and one read. Under
// load Redis and Frontdesk then pay the round trip's system calls once for many scripts;
// a lone call waits for nothing. There is no timer: nothing is held back to make a batch.
//
// go-redis's own autopipeliner (AutoPipeline) was measured here and refused: it holds
// a batch back until the callers of the last one have sent their next command, which
// event-driven callers never do, and the relay Slack → customer lost a third of its
// throughput.
//
// go-redis sends a whole pipeline again when its connection fails or times out, answers
// already read included, as it sends a lone command again. So only calls that change
// nothing when run twice go through it: the callers send the others alone (run with
// batch false), as are all calls on a Redis Cluster, where one pipeline waits for every
// node it spans and a node failing over would hold up the calls of the others.
type pipeliner struct {
	c        redis.UniversalClient
	off      bool // a Cluster: every call is sent alone
	mu       sync.Mutex
	queue    []*pipelined
	inFlight int
}

// pipelined is a call waiting in the queue.
type pipelined struct {
	ctx  context.Context
	cmd  *redis.Cmd
	done chan struct{}
}

// maxPipelines is how many pipelines a store has in flight at once, and maxBatch how
// many calls one carries at most.
const (
	maxPipelines = 2
	maxBatch     = 128
)

// pipelineTimeout bounds a pipeline's round trip, whatever its callers' contexts say.
const pipelineTimeout = 30 * time.Second

func newPipeliner(c redis.UniversalClient) *pipeliner {
	_, cluster := c.(*redis.ClusterClient)
	return &pipeliner{c: c, off: cluster}
}

// run runs script with keys and args, as script.Run does (EVALSHA, and EVAL when Redis
// does not have the script yet): in a shared pipeline when batch is set (the call
// changes nothing if run twice), else alone. A call whose ctx ends while it waits
// returns ctx's error; it may still be sent, as a lone command may be after its caller
// gave up.
func (p *pipeliner) run(ctx context.Context, batch bool, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	if !batch || p.off {
		return script.Run(ctx, p.c, keys, args...)
	}
	if err := ctx.Err(); err != nil {
		return failedCmd(ctx, err)
	}
	cmdArgs := make([]any, 0, 3+len(keys)+len(args))
	cmdArgs = append(cmdArgs, "evalsha", script.Hash(), len(keys))
	for _, k := range keys {
		cmdArgs = append(cmdArgs, k)
	}
	cmdArgs = append(cmdArgs, args...)
	c := &pipelined{ctx: ctx, cmd: redis.NewCmd(ctx, cmdArgs...), done: make(chan struct{})}
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
	select {
	case <-c.done:
	case <-ctx.Done():
		return failedCmd(ctx, ctx.Err())
	}
	if err := c.cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		return script.Run(ctx, p.c, keys, args...) // loads it
	}
	return c.cmd
}

func failedCmd(ctx context.Context, err error) *redis.Cmd {
	cmd := redis.NewCmd(ctx)
	cmd.SetErr(err)
	return cmd
}

// flush sends up to maxBatch queued calls; when more are queued after, a new goroutine
// takes its place in flight and sends those, so that the caller whose goroutine this is
// waits for its own call only.
func (p *pipeliner) flush() {
	p.mu.Lock()
	n := min(len(p.queue), maxBatch)
	batch := p.queue[:n:n]
	p.queue = p.queue[n:]
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

// send runs the calls of batch whose callers still wait, alone or as one pipeline, and
// tells each caller.
func (p *pipeliner) send(batch []*pipelined) {
	live := batch[:0:0]
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil {
			c.cmd.SetErr(err)
			continue
		}
		live = append(live, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pipelineTimeout)
	defer cancel()
	switch len(live) {
	case 0:
	case 1:
		_ = p.c.Process(ctx, live[0].cmd)
	default:
		pipe := p.c.Pipeline()
		for _, c := range live {
			_ = pipe.Process(ctx, c.cmd)
		}
		_, _ = pipe.Exec(ctx) // each command has its own answer or error
	}
	for _, c := range batch {
		close(c.done)
	}
}
