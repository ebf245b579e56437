# Frontdesk. `make setup` then `make test` takes a fresh machine to tested; `make run`
# runs the binary (it needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; see README.md).

GO ?= go
# staticcheck finds dead code and misuse that go vet does not; pinned for repeatable CI.
STATICCHECK ?= v0.8.2

.PHONY: build run test lint redis setup

build:
	$(GO) build -o bin/frontdesk ./cmd/frontdesk

run: build redis
	./bin/frontdesk

test: redis
	$(GO) test -race -count=1 ./...

lint:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK) ./...

# Start a local redis-server on 127.0.0.1:6379 unless one answers at REDIS_URL
# (installing it with apt-get where missing).
redis:
	bash scripts/redis.sh

setup:
	$(GO) mod download
	$(MAKE) redis
