package redisurl

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		url  string
		kind Kind
		addr string
		db   int
	}{
		{"redis://127.0.0.1:6379/2", Single, "127.0.0.1:6379", 2},
		{"rediss://:pw@redis.example.com:6380/0", Single, "redis.example.com:6380", 0},
		{"redis+cluster://:pw@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000", Cluster, "10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000", 0},
		{"redis+sentinel://10.0.0.1:26379?master_name=main&addr=10.0.0.2:26379", Sentinel, "main@10.0.0.1:26379,10.0.0.2:26379", 0},
	} {
		cfg, err := Parse(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if cfg.Kind != c.kind || cfg.Addr() != c.addr || cfg.DB() != c.db {
			t.Errorf("%s: kind %s addr %s db %d", c.url, cfg.Kind, cfg.Addr(), cfg.DB())
		}
		client := cfg.NewClient(50)
		switch c.kind {
		case Cluster:
			if _, ok := client.(*redis.ClusterClient); !ok {
				t.Errorf("%s: a %T", c.url, client)
			}
		default:
			if _, ok := client.(*redis.Client); !ok {
				t.Errorf("%s: a %T", c.url, client)
			}
		}
		client.Close()
	}
	for _, bad := range []string{
		"127.0.0.1:6379", "http://x:1", "redis+mesh://x:1", "redis+sentinel://x:26379",
		"redis://:s3cret@host:notaport/0", "redis+cluster://:s3cret@x:1?unknown=1",
	} {
		_, err := Parse(bad)
		if err == nil {
			t.Errorf("%s parsed", bad)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows the password: %v", bad, err)
		}
	}
}
