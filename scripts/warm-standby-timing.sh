#!/usr/bin/env bash
# Warm standby against cold handoffs (docs/failover-warm-standby.md): the same faults on the same
# recordings, one replay process per mode and fault, real time, loopback, embedded simulators.
#
#   bash scripts/warm-standby-timing.sh [OUT-DIR]    # default /tmp/warm-standby; ~6 min on 2 cores
#
# Prints one line per switch: fault, recording, mode, handoffMs, deadAirMs, duplicateAgentAudioMs,
# repeatedAgentWords, call status.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/warm-standby}
mkdir -p "$out"
bash scripts/setup.sh >/dev/null
dotnet build src/VoiceBridge.Cli -c Release -nologo -v q >/dev/null
dll=src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll
run() {
  local mode=$1 fault=$2 name
  name=$(echo "$fault" | tr ':@' '--')
  VOICEBRIDGE_DATA="$out/data-$mode-$name" dotnet "$dll" replay media-fixtures/ --chain openai-realtime,local \
    --fault "primary:$fault" --parallel 1 $([ "$mode" = warm ] && echo --warm-standby) \
    --report "$out/${mode}__${name}.json" --out-dir "$out/out-$mode-$name" > "$out/$mode-$name.log" 2>&1 || true
}
for fault in close@turn2 stall-audio@turn2+500 close@user2+400; do
  run cold "$fault" & run warm "$fault"; wait
done
python3 - "$out" <<'PY'
import glob, json, sys
rows = []
for f in glob.glob(sys.argv[1] + "/*__*.json"):
    mode, fault = f.split("/")[-1][:-5].split("__")
    for c in json.load(open(f))["calls"]:
        for s in c.get("switches", []):
            rows.append((fault, c["file"].split("/")[-1], mode, s["handoffMs"], s["deadAirMs"], s["duplicateAgentAudioMs"], s["repeatedAgentWords"], c["status"]))
for r in sorted(rows):
    print(*r, sep="\t")
PY
