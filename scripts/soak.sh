#!/usr/bin/env bash
# Soak (issue 10): SOAK_CALLS concurrent loopback Twilio calls for SOAK_SECONDS against 'serve',
# each part a process of its own ('voicebridge sim --load', 'serve' pointed at it, 'voicebridge
# load --soak' sampling serve's memory), then the verdict: pass when no frame is lost and the
# bridge's working set grows less than SOAK_MAX_GROWTH MB/min after the warm-up (the first 20 %
# of the run, at most 60 s). Exit code: load's (0 pass, 1 fail, 2 bad input).
#
# usage: scripts/soak.sh [OUT_DIR]      (default artifacts/soak; the report is OUT_DIR/soak.json)
# env:   SOAK_CALLS [200]  SOAK_SECONDS [600]  SOAK_MAX_GROWTH [1.0]
#        VB_DLL a built voicebridge.dll [src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll, built if missing]
#        SIM_PORT VB_PORT loopback ports [18389 18380]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-artifacts/soak}
CALLS=${SOAK_CALLS:-200}
SECONDS_=${SOAK_SECONDS:-600}
MAX_GROWTH=${SOAK_MAX_GROWTH:-1.0}
SIM_PORT=${SIM_PORT:-18389}
VB_PORT=${VB_PORT:-18380}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SCRIPT=soak
source scripts/lib/processes.sh

dotnet "$VB_DLL" sim --load --urls "http://127.0.0.1:$SIM_PORT" >"$OUT/sim.log" 2>&1 &
PIDS+=($!)
wait_for "$SIM_PORT" "sim"

DATA=$(mktemp -d /tmp/soak-data.XXXXXX)
OPENAI_API_KEY=simulated dotnet "$VB_DLL" serve --urls "http://127.0.0.1:$VB_PORT" \
  --realtime-url "ws://127.0.0.1:$SIM_PORT/v1/realtime" --sip-listen off --whip-off --data-dir "$DATA" >"$OUT/serve.log" 2>&1 &
VB_PID=$!
PIDS+=($VB_PID)
wait_for "$VB_PORT" "serve"
# serve listens before its warm-up call is over; let it settle so the idle baseline is idle.
sleep 3

STATUS=0
dotnet "$VB_DLL" load --soak --max-growth "$MAX_GROWTH" --server "ws://127.0.0.1:$VB_PORT/twilio/media" \
  --sim "http://127.0.0.1:$SIM_PORT" --pid "$VB_PID" --metrics "http://127.0.0.1:$VB_PORT/metrics" --calls "$CALLS" --duration "$SECONDS_" \
  --report "$OUT/soak.json" >/dev/null 2>"$OUT/load.log" || STATUS=$?

python3 - "$OUT/soak.json" "$CALLS" "$SECONDS_" <<'PY' | tee "$OUT/soak.md"
import json, sys
r = json.load(open(sys.argv[1])); v = r["verdict"]; l = r["load"]; s = l["steps"][-1]
f = lambda x: "n/a" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))
print(f"soak: {sys.argv[2]} calls x {sys.argv[3]} s, loopback Twilio leg, one simulated provider")
print(f"verdict: {'PASS' if v['passed'] else 'FAIL'}  ({v['rule']})")
for why in v["failures"]: print(f"  - {why}")
print(f"calls connected {s['callsConnected']}/{l['calls']}; frames sent {l['framesSent']}, lost {f(l['framesLost'])}, late {f(l['framesLate'])}, not sent {s['framesNotSent']}, sender late ticks {s['senderLateTicks']}")
print(f"memory after {f(v['warmUpS'])} s warm-up: working set {f(v['memoryGrowthMbPerMinute'])} MB/min (later half {f(v['laterHalfGrowthMbPerMinute'])}), private {f(v['privateGrowthMbPerMinute'])} MB/min, managed heap {f(v['gcHeapGrowthMbPerMinute'])} MB/min over {v['samplesAfterWarmUp']} samples")
a, b = v["firstAfterWarmUp"], v["lastAfterWarmUp"]
if a and b: print(f"  first {f(a['workingSetMb'])} MB (private {f(a['privateMb'])}) at {f(a['seconds'])} s, last {f(b['workingSetMb'])} MB (private {f(b['privateMb'])}) at {f(b['seconds'])} s")
print(f"CPU per call {f(l['cpuPercentPerCall'])} % of a core; hop in p50/p99 {f(l['hopInP50Ms'])}/{f(l['hopInP99Ms'])} ms, hop out p50/p99 {f(l['hopOutP50Ms'])}/{f(l['hopOutP99Ms'])} ms")
PY
exit "$STATUS"
