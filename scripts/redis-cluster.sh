#!/usr/bin/env bash
# Starts a throwaway 3-master Redis Cluster on loopback (ports BASE..BASE+2, default
# 7101..7103; nothing kept on disk) and prints its REDIS_URL. `stop` stops it.
# Used by `make cluster-test`; needs redis-server and redis-cli (scripts/redis.sh installs them).
set -euo pipefail
base="${CLUSTER_BASE_PORT:-7101}"
dir="${CLUSTER_DIR:-/tmp/frontdesk-cluster}"
ports=("$base" "$((base + 1))" "$((base + 2))")

if [[ "${1:-}" == "stop" ]]; then
	for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
	rm -rf "$dir"
	exit 0
fi

command -v redis-server >/dev/null || bash "$(dirname "$0")/redis.sh" >/dev/null
mkdir -p "$dir"
for p in "${ports[@]}"; do
	redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
	rm -rf "${dir:?}/$p" && mkdir -p "$dir/$p"
	redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/$p/nodes.conf" \
		--cluster-node-timeout 5000 --dir "$dir/$p" --save "" --appendonly no --daemonize yes \
		--logfile "$dir/$p/redis.log" >/dev/null
done
for p in "${ports[@]}"; do
	for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
for _ in $(seq 100); do
	if redis-cli -p "$base" cluster info | grep -q 'cluster_state:ok'; then
		echo "redis+cluster://127.0.0.1:${ports[0]}?addr=127.0.0.1:${ports[1]}&addr=127.0.0.1:${ports[2]}"
		exit 0
	fi
	sleep 0.1
done
echo "the cluster did not come up; logs in $dir" >&2
exit 1
