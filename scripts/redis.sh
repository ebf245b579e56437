#!/usr/bin/env bash
# Makes sure a Redis answers at REDIS_URL (default redis://127.0.0.1:6379/0). When none
# does, it installs redis-server with apt-get if it is missing and starts one on loopback,
# without persistence (for development and tests; see README.md for production).
set -euo pipefail

url="${REDIS_URL:-redis://127.0.0.1:6379/0}"

answers() {
	command -v redis-cli >/dev/null 2>&1 &&
		[ "$(redis-cli -u "$url" ping 2>/dev/null)" = "PONG" ]
}

if answers; then
	exit 0
fi

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo="sudo"
	fi
	echo "redis.sh: installing redis-server with apt-get" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi

case "$url" in
redis://127.0.0.1:6379* | redis://localhost:6379*) ;;
*)
	echo "redis.sh: no Redis answers at REDIS_URL and it is not 127.0.0.1:6379, which is the only one this script starts" >&2
	exit 1
	;;
esac

echo "redis.sh: starting redis-server on 127.0.0.1:6379" >&2
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null

for _ in $(seq 1 50); do
	if answers; then
		exit 0
	fi
	sleep 0.1
done
echo "redis.sh: redis-server started but nothing answers at REDIS_URL" >&2
exit 1
