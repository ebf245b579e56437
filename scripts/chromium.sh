#!/usr/bin/env bash
# Makes sure a Chromium is on PATH for the browser tests (the website widget's, the
# demo's): installs Debian's chromium with apt-get when there is none. The tests drive it
# headless with chromedp; nothing downloads a browser of its own.
set -euo pipefail

for name in chromium chromium-browser google-chrome google-chrome-stable; do
	if command -v "$name" >/dev/null 2>&1; then
		exit 0
	fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
echo "chromium.sh: installing chromium with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || {
	echo "chromium.sh: chromium installed but not on PATH" >&2
	exit 1
}
