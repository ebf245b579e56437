// Package redisurl reads the REDIS_URL forms Frontdesk accepts and makes the matching
// go-redis client:
//
//	redis://[user:password@]host:port[/db]             one Redis (rediss:// with TLS)
//	redis+cluster://[user:password@]host:port?addr=host2:port&addr=host3:port
//	                                                   a Redis Cluster (any of its nodes)
//	redis+sentinel://[user:password@]host:port?master_name=mymaster&addr=host2:port
//	                                                   Redis Sentinel (the sentinels)
//
// Query parameters are go-redis's own (dial_timeout, pool_size, ...); "+cluster" and
// "+sentinel" may be combined with TLS as rediss+cluster:// and rediss+sentinel://.
package redisurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Kind says which Redis set-up a URL names.
type Kind string

const (
	Single   Kind = "single"
	Cluster  Kind = "cluster"
	Sentinel Kind = "sentinel"
)

// Config is a parsed REDIS_URL.
type Config struct {
	Kind     Kind
	single   *redis.Options
	cluster  *redis.ClusterOptions
	failover *redis.FailoverOptions
}

// Parse reads raw. Its errors never quote the URL, which may hold a password.
func Parse(raw string) (*Config, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, errors.New("not a URL, want one like redis://127.0.0.1:6379/0")
	}
	base, kind, _ := strings.Cut(scheme, "+")
	if base != "redis" && base != "rediss" {
		return nil, fmt.Errorf("unknown scheme %q, want redis, rediss, redis+cluster or redis+sentinel", scheme)
	}
	plain := base + "://" + rest
	var (
		c   = &Config{}
		err error
	)
	switch kind {
	case "":
		c.Kind = Single
		c.single, err = redis.ParseURL(plain)
	case "cluster":
		c.Kind = Cluster
		c.cluster, err = redis.ParseClusterURL(plain)
	case "sentinel":
		c.Kind = Sentinel
		c.failover, err = redis.ParseFailoverURL(plain)
		if err == nil && c.failover.MasterName == "" {
			err = errors.New("a sentinel URL needs master_name=<the master's name>")
		}
	default:
		return nil, fmt.Errorf("unknown scheme %q, want redis, rediss, redis+cluster or redis+sentinel", scheme)
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("bad %s URL: %v", c.Kind, err)
	}
	return c, nil
}

// Addr names the server(s) for logs and errors, never with credentials.
func (c *Config) Addr() string {
	switch c.Kind {
	case Cluster:
		return strings.Join(c.cluster.Addrs, ",")
	case Sentinel:
		return c.failover.MasterName + "@" + strings.Join(c.failover.SentinelAddrs, ",")
	}
	return c.single.Addr
}

// DB is the database number (0 for a cluster, which has only that one).
func (c *Config) DB() int {
	switch c.Kind {
	case Single:
		return c.single.DB
	case Sentinel:
		return c.failover.DB
	}
	return 0
}

// NewClient makes a client with at least poolSize connections per node (0: go-redis's
// default), each with buffers of connBuffer bytes each way.
func (c *Config) NewClient(poolSize int) redis.UniversalClient {
	switch c.Kind {
	case Cluster:
		o := *c.cluster
		o.PoolSize = max(o.PoolSize, poolSize)
		o.ReadBufferSize, o.WriteBufferSize = connBuffer, connBuffer
		o.PipelineReadBufferSize, o.PipelineWriteBufferSize = pipelineBuffer, pipelineBuffer
		return redis.NewClusterClient(&o)
	case Sentinel:
		o := *c.failover
		o.PoolSize = max(o.PoolSize, poolSize)
		o.ReadBufferSize, o.WriteBufferSize = connBuffer, connBuffer
		o.PipelineReadBufferSize, o.PipelineWriteBufferSize = pipelineBuffer, pipelineBuffer
		return redis.NewFailoverClient(&o)
	}
	o := *c.single
	o.PoolSize = max(o.PoolSize, poolSize)
	o.ReadBufferSize, o.WriteBufferSize = connBuffer, connBuffer
	o.PipelineReadBufferSize, o.PipelineWriteBufferSize = pipelineBuffer, pipelineBuffer
	return redis.NewClient(&o)
}

// connBuffer and pipelineBuffer size each connection's read and write buffers (go-redis's
// defaults: 32 KiB, and 128 KiB for the pipeline pool). Frontdesk keeps a blocking read
// per partition and consumer group, so a few hundred connections: at the defaults their
// buffers alone were 17 MB of a 32 MB live heap with 10,000 tickets open. Its commands and
// answers are a few KB (a larger answer is read through the buffer, not into it).
const (
	connBuffer     = 8 << 10
	pipelineBuffer = 16 << 10
)

// HasPassword reports whether the URL gives a password (for the server, or the sentinels).
func (c *Config) HasPassword() bool {
	switch c.Kind {
	case Cluster:
		return c.cluster.Password != ""
	case Sentinel:
		return c.failover.Password != "" || c.failover.SentinelPassword != ""
	}
	return c.single.Password != ""
}
