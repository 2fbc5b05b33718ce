#!/usr/bin/env bash
# Side by side (issue 9 part 3): the same load against Twilio's Node.js Media Streams sample
# (../shared/peers/twilio-openai-node, see its PEER.md) and against VoiceBridge's serve, both
# talking to one simulated provider ('voicebridge sim --load', a process of its own), measured by
# 'voicebridge load' (a process of its own): only the bridge's CPU and memory are counted.
# Prints CPU per call, memory per call and hop latency for both, and their ratios (peer / ours).
#
# usage: scripts/peer-compare.sh [CALLS] [DURATION_S] [OUT_DIR]     (defaults: 20 20 artifacts/peer-compare)
# env:   VB_DLL  a built voicebridge.dll [src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll, built if missing]
#        PEER_DIR the peer's folder [/work/shared/peers/twilio-openai-node, else ../shared/peers/twilio-openai-node]
#        SIM_PORT PEER_PORT VB_PORT  loopback ports [18289 18250 18280]
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${1:-20}
DURATION=${2:-20}
OUT=${3:-artifacts/peer-compare}
SIM_PORT=${SIM_PORT:-18289}
PEER_PORT=${PEER_PORT:-18250}
VB_PORT=${VB_PORT:-18280}
PEER_DIR=${PEER_DIR:-/work/shared/peers/twilio-openai-node}
[ -d "$PEER_DIR" ] || PEER_DIR=../shared/peers/twilio-openai-node
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

SCRIPT=peer-compare
source scripts/lib/processes.sh

# The peer: a copy, its dependencies from npm, the OpenAI URL made configurable as PEER.md says.
WORK=$(mktemp -d /tmp/peer-compare.XXXXXX)
cp "$PEER_DIR"/index.js "$PEER_DIR"/package.json "$WORK"/
(cd "$WORK" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
sed 's#wss://api\.openai\.com/v1/realtime#${process.env.OPENAI_WS_BASE || "wss://api.openai.com"}/v1/realtime#' "$WORK/index.js" > "$WORK/index.local.js"

dotnet "$VB_DLL" sim --load --urls "http://127.0.0.1:$SIM_PORT" >"$OUT/sim.log" 2>&1 &
PIDS+=($!)
wait_for "$SIM_PORT" "sim"

run_load() { # name server-url pid
  dotnet "$VB_DLL" load --server "$2" --sim "http://127.0.0.1:$SIM_PORT" --pid "$3" \
    --calls "$CALLS" --duration "$DURATION" --report "$OUT/$1.json" >/dev/null 2>"$OUT/$1-load.log" || true
}

(cd "$WORK" && OPENAI_WS_BASE="ws://127.0.0.1:$SIM_PORT" OPENAI_API_KEY=simulated PORT=$PEER_PORT exec node index.local.js >"$OUT/peer.log" 2>&1) &
PEER_PID=$!
PIDS+=($PEER_PID)
wait_for "$PEER_PORT" "the Node peer"
NODE_PID=$(pgrep -P "$PEER_PID" node || echo "$PEER_PID")
run_load peer "ws://127.0.0.1:$PEER_PORT/media-stream" "$NODE_PID"
kill "$PEER_PID" 2>/dev/null || true

DATA=$(mktemp -d /tmp/peer-compare-data.XXXXXX)
OPENAI_API_KEY=simulated dotnet "$VB_DLL" serve --urls "http://127.0.0.1:$VB_PORT" \
  --realtime-url "ws://127.0.0.1:$SIM_PORT/v1/realtime" --sip-listen off --whip-off --data-dir "$DATA" >"$OUT/serve.log" 2>&1 &
VB_PID=$!
PIDS+=($VB_PID)
wait_for "$VB_PORT" "serve"
# serve listens before its warm-up call is over; let it settle so the idle baseline is idle.
sleep 3
run_load voicebridge "ws://127.0.0.1:$VB_PORT/twilio/media" "$VB_PID"

python3 - "$OUT/peer.json" "$OUT/voicebridge.json" "$CALLS" "$DURATION" <<'PY' | tee "$OUT/side-by-side.md"
import json, sys
peer, ours = (json.load(open(p)) for p in sys.argv[1:3])
rows = [("CPU per call (% of a core)", "cpuPercentPerCall"), ("calls per core", "callsPerCore"),
        ("memory per call (MB)", "memoryMbPerCall"), ("hop in p50 (ms)", "hopInP50Ms"), ("hop in p99 (ms)", "hopInP99Ms"),
        ("hop out p50 (ms)", "hopOutP50Ms"), ("hop out p99 (ms)", "hopOutP99Ms"), ("frames sent", "framesSent"),
        ("frames late", "framesLate"), ("frames lost", "framesLost")]
def f(v): return "n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
print(f"{sys.argv[3]} calls x {sys.argv[4]} s, loopback, one simulated provider ('sim --load'), load generator 'voicebridge load'\n")
print("| figure | Node sample | VoiceBridge | Node / VoiceBridge |")
print("| --- | --- | --- | --- |")
for name, key in rows:
    a, b = peer.get(key), ours.get(key)
    ratio = f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "n/a"
    print(f"| {name} | {f(a)} | {f(b)} | {ratio} |")
s = lambda r: r["steps"][-1]
print(f"\nturns answered: Node {s(peer)['turns'] - s(peer)['turnsUnanswered']}/{s(peer)['turns']}, VoiceBridge {s(ours)['turns'] - s(ours)['turnsUnanswered']}/{s(ours)['turns']}; "
      f"first audio p50: Node {f(s(peer)['firstAudio']['p50Ms'])} ms, VoiceBridge {f(s(ours)['firstAudio']['p50Ms'])} ms")
PY
