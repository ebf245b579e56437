#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 10s): the parsers of outside data
# (connector webhook bodies, Slack payloads, admin-panel submissions, settings and tickets
# read back from Redis, AI answers, customer text). Seeds live in each package's
# testdata/fuzz/<target>/; a crasher found is written there too, to keep as a test.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-10s}"
targets=(
	"./connectors/webhook FuzzParseInbound"
	"./connectors/chatra FuzzParsePayload"
	"./connectors/gladly FuzzParseEnvelope"
	"./connectors/widget FuzzParseFrame"
	"./connectors/ai FuzzParseAnswer"
	"./bot FuzzAdminSubmission"
	"./bot FuzzInteractionPayload"
	"./tickets FuzzSettingsJSON"
	"./tickets FuzzCustomerText"
	"./store FuzzDecodeTicket"
)
for t in "${targets[@]}"; do
	set -- $t
	echo "fuzz $2 ($1) for $FUZZTIME"
	go test -run='^$' -fuzz="^$2\$" -fuzztime="$FUZZTIME" "$1"
done
echo "${#targets[@]} fuzz targets ran without a crash"
