# Frontdesk. `make setup` then `make test` takes a fresh machine to tested; `make run`
# runs the binary (it needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; see README.md).

GO ?= go
# staticcheck finds dead code and misuse that go vet does not; pinned for repeatable CI.
STATICCHECK ?= v0.8.2

.PHONY: build run demo test faults fuzz cluster-test static bench lint redis setup

build:
	$(GO) build -o bin/frontdesk ./cmd/frontdesk

run: build redis
	./bin/frontdesk

# Frontdesk with a simulated Slack workspace, a Redis and a demo website (docs/demo.md).
# The demo's simulator and embedded Redis are built in only with the demo tag.
demo:
	$(GO) run -tags demo ./cmd/frontdesk demo

# The demo tag adds the demo and its tests to cmd/frontdesk.
test: redis
	$(GO) test -race -count=1 -tags demo ./...

# The fault-injection suite (faults/, docs/reliability.md): the real binary as separate
# processes against the Slack simulator, a fake chatbot and a redis-server of its own,
# through crashes, a second replica, a Redis restart, Slack and chatbot failures and slow
# links. It needs redis-server on PATH (scripts/redis.sh installs it).
faults: redis
	$(GO) test -tags faults -count=1 -timeout 30m -v ./faults/

# Every fuzz target (parsers of outside data) for FUZZTIME each (default 10s).
fuzz:
	bash scripts/fuzz.sh

# The store's tests and the end-to-end tests against a real 3-master Redis Cluster on
# loopback ports 7101-7103 (scripts/redis-cluster.sh), which is stopped afterwards.
cluster-test:
	@url="$$(bash scripts/redis-cluster.sh)" && \
	REDIS_URL="$$url" $(GO) test -count=1 ./store/... ./cmd/frontdesk/; \
	status=$$?; bash scripts/redis-cluster.sh stop; exit $$status

# The static binary the Dockerfile ships, built and checked the same way.
static:
	bash scripts/build-static.sh

# Benchmarks (cmd/bench): writes BENCHMARKS.md. BENCH_SMOKE=1 only checks that it runs.
bench:
	$(GO) run ./cmd/bench

lint:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags demo ./cmd/frontdesk/
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK) -tags demo ./...

# Start a local redis-server on 127.0.0.1:6379 unless one answers at REDIS_URL
# (installing it with apt-get where missing).
redis:
	bash scripts/redis.sh

setup:
	$(GO) mod download
	$(MAKE) redis
	bash scripts/chromium.sh
