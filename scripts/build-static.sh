#!/usr/bin/env bash
# Builds Frontdesk as one static Linux binary (no cgo, no libc), the way the Dockerfile
# does, and checks that it is static. Usage: scripts/build-static.sh [OUTPUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bin/frontdesk-static}"
mkdir -p "$(dirname "$out")"
CGO_ENABLED=0 GOOS="${GOOS:-linux}" go build -trimpath -ldflags="-s -w" -o "$out" ./cmd/frontdesk
# A static ELF has no program interpreter (PT_INTERP); a dynamic one names ld.so there.
if command -v readelf >/dev/null; then
	if readelf -l "$out" | grep -q 'Requesting program interpreter'; then
		echo "$out is dynamically linked" >&2
		exit 1
	fi
elif ! ldd "$out" 2>&1 | grep -q 'not a dynamic executable'; then
	echo "$out is dynamically linked (or ldd is missing)" >&2
	exit 1
fi
echo "$out: static, $(du -h "$out" | cut -f1)"
