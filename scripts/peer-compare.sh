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
#        PERF=1  also count each bridge's system calls and context switches ('perf stat') and the
#                kernel's share of its CPU ('perf record'), over a window in the middle of its run;
#                needs linux-perf and root (off by default: tracing costs the bridges a little)
#        WIRE=1  also capture the loopback traffic over that window (dumpcap) and read each bridge's
#                own hop in and hop out off the wire (scripts/lib/wire_hops.py); needs tshark's
#                dumpcap and root (off by default: the capture costs the machine some CPU)
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

PERF=${PERF:-0}
WIRE=${WIRE:-0}
if [ "$PERF" = 1 ] && ! perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1; then
  echo "$SCRIPT: PERF=1 needs perf (apt-get install linux-perf) allowed to trace system calls (root, or kernel.perf_event_paranoid <= 1)" >&2
  exit 2
fi
if [ "$WIRE" = 1 ] && ! dumpcap -q -i lo -c 1 -a duration:1 -w /dev/null >/dev/null 2>&1; then
  echo "$SCRIPT: WIRE=1 needs dumpcap (apt-get install tshark) allowed to capture on lo (root)" >&2
  exit 2
fi
warn() { echo "$SCRIPT: $*" >&2; }

# the watched window: from 30 % of the step, 40 % of it long, at most 10 s
WINDOW=$(( DURATION * 2 / 5 < 10 ? (DURATION * 2 / 5 > 1 ? DURATION * 2 / 5 : 1) : 10 ))

watch_window() { # name pid bridge-port: PERF and WIRE watchers over the middle of the step
  local watchers=()
  # the load generator's idle baseline (3 s) and warm-up (20 % of the step) come first
  sleep $(( 3 + DURATION * 3 / 10 ))
  if [ "$WIRE" = 1 ]; then
    dumpcap -q -i lo -P -B 64 -f "tcp port $3 or tcp port $SIM_PORT" -a "duration:$WINDOW" -w "$OUT/$1-wire.pcap" 2>"$OUT/$1-dumpcap.log" &
    watchers+=($!)
  fi
  if [ "$PERF" = 1 ]; then
    perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$2" -- sleep "$WINDOW" 2>"$OUT/$1-perfstat.csv" &
    watchers+=($!)
    perf record -q -F 499 -p "$2" -o "$OUT/$1-perf.data" -- sleep "$WINDOW" >/dev/null 2>&1 &
    watchers+=($!)
  fi
  PIDS+=("${watchers[@]}")
  for watcher in "${watchers[@]}"; do
    wait "$watcher" || warn "$1: a watcher of the window failed (see $OUT/$1-*)"
  done
}

read_window() { # name bridge-port: the watched window's figures, read once the step is over
  if [ "$PERF" = 1 ]; then
    if [ -s "$OUT/$1-perf.data" ] && [ -s "$OUT/$1-perfstat.csv" ]; then
      perf report -i "$OUT/$1-perf.data" --stdio --sort dso 2>/dev/null |
        awk -v w="$WINDOW" '/\[kernel\.kallsyms\]/ { k = $1 } END { sub("%", "", k); print "kernelSharePercent," (k == "" ? 0 : k); print "windowS," w }' >>"$OUT/$1-perfstat.csv" ||
        warn "$1: perf report failed"
    else
      warn "$1: no perf figures for the window"
      rm -f "$OUT/$1-perfstat.csv"
    fi
  fi
  if [ "$WIRE" = 1 ]; then
    if [ -s "$OUT/$1-wire.pcap" ]; then
      python3 scripts/lib/wire_hops.py "$OUT/$1-wire.pcap" "$2" "$SIM_PORT" >"$OUT/$1-wire.json" || { warn "$1: wire_hops.py failed"; rm -f "$OUT/$1-wire.json"; }
    else
      warn "$1: no capture of the window (see $OUT/$1-dumpcap.log)"
    fi
    rm -f "$OUT/$1-wire.pcap"
  fi
}

run_load() { # name server-url pid bridge-port
  dotnet "$VB_DLL" load --server "$2" --sim "http://127.0.0.1:$SIM_PORT" --pid "$3" \
    --calls "$CALLS" --duration "$DURATION" --report "$OUT/$1.json" >/dev/null 2>"$OUT/$1-load.log" &
  local load=$!
  PIDS+=($load)
  if [ "$PERF" = 1 ] || [ "$WIRE" = 1 ]; then watch_window "$1" "$3" "$4"; fi
  wait "$load" || true
  read_window "$1" "$4"
}

(cd "$WORK" && OPENAI_WS_BASE="ws://127.0.0.1:$SIM_PORT" OPENAI_API_KEY=simulated PORT=$PEER_PORT exec node index.local.js >"$OUT/peer.log" 2>&1) &
PEER_PID=$!
PIDS+=($PEER_PID)
wait_for "$PEER_PORT" "the Node peer"
NODE_PID=$(pgrep -P "$PEER_PID" node || echo "$PEER_PID")
run_load peer "ws://127.0.0.1:$PEER_PORT/media-stream" "$NODE_PID" "$PEER_PORT"
kill "$PEER_PID" 2>/dev/null || true

DATA=$(mktemp -d /tmp/peer-compare-data.XXXXXX)
OPENAI_API_KEY=simulated dotnet "$VB_DLL" serve --urls "http://127.0.0.1:$VB_PORT" \
  --realtime-url "ws://127.0.0.1:$SIM_PORT/v1/realtime" --sip-listen off --whip-off --data-dir "$DATA" >"$OUT/serve.log" 2>&1 &
VB_PID=$!
PIDS+=($VB_PID)
wait_for "$VB_PORT" "serve"
# serve listens before its warm-up call is over; let it settle so the idle baseline is idle.
sleep 3
run_load voicebridge "ws://127.0.0.1:$VB_PORT/twilio/media" "$VB_PID" "$VB_PORT"

python3 - "$OUT/peer.json" "$OUT/voicebridge.json" "$CALLS" "$DURATION" <<'PY' | tee "$OUT/side-by-side.md"
import csv, json, os, sys
peer, ours = (json.load(open(p)) for p in sys.argv[1:3])
calls = int(sys.argv[3])
for report, path in ((peer, sys.argv[1]), (ours, sys.argv[2])):
    stat = path.replace(".json", "-perfstat.csv")
    rows = {r[2] if len(r) > 2 and r[2] else r[0]: r for r in csv.reader(open(stat)) if r and not r[0].startswith("#")} if os.path.exists(stat) else {}
    if "windowS" in rows and "kernelSharePercent" in rows:
        window = float(rows["windowS"][1])
        share = float(rows["kernelSharePercent"][1])
        per_call_second = lambda event: float(rows[event][0]) / window / calls if event in rows and rows[event][0].isdigit() else None
        report["syscallsPerCallSecond"] = per_call_second("raw_syscalls:sys_enter")
        report["contextSwitchesPerCallSecond"] = per_call_second("context-switches")
        report["kernelSharePercent"] = share
        report["kernelCpuPercentPerCall"] = report["cpuPercentPerCall"] * share / 100 if report.get("cpuPercentPerCall") else None
    wire = path.replace(".json", "-wire.json")
    if os.path.exists(wire):
        hops = json.load(open(wire))
        for direction in ("In", "Out"):
            for q in ("p50", "p99"):
                report[f"wireHop{direction}{q.upper()}Ms"] = hops[f"hop{direction}"][f"{q}Ms"]
rows = [("CPU per call (% of a core)", "cpuPercentPerCall"), ("calls per core", "callsPerCore"),
        ("memory per call (MB)", "memoryMbPerCall"), ("hop in p50 (ms)", "hopInP50Ms"), ("hop in p99 (ms)", "hopInP99Ms"),
        ("hop out p50 (ms)", "hopOutP50Ms"), ("hop out p99 (ms)", "hopOutP99Ms"), ("frames sent", "framesSent"),
        ("frames late", "framesLate"), ("frames lost", "framesLost")]
if "syscallsPerCallSecond" in ours:
    rows += [("system calls per call-second", "syscallsPerCallSecond"), ("context switches per call-second", "contextSwitchesPerCallSecond"),
             ("kernel share of the CPU (%)", "kernelSharePercent"), ("kernel CPU per call (% of a core)", "kernelCpuPercentPerCall")]
if "wireHopInP50Ms" in ours:
    rows += [("bridge hop in p50, on the wire (ms)", "wireHopInP50Ms"), ("bridge hop in p99, on the wire (ms)", "wireHopInP99Ms"),
             ("bridge hop out p50, on the wire (ms)", "wireHopOutP50Ms"), ("bridge hop out p99, on the wire (ms)", "wireHopOutP99Ms")]
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
