#!/usr/bin/env bash
# The committed real-time failover timing report (FAILOVER.md: "the timing figures come from a
# sampled real-time run whose report is committed with the command that produced it"):
#
#   bash scripts/failover-timing.sh                # run the sample (~20 min on 2 cores), write the report
#   bash scripts/failover-timing.sh --render-only  # rewrite docs/failover-timing.md from the committed JSONs
#
# 1. scripts/setup.sh, then ONE build: dotnet build src/VoiceBridge.Cli -c Release
#    (retried after a minute when it fails, FT_BUILD_ATTEMPTS times [3]: src/ may be mid-edit)
# 2. for every chain x fault of the sample, one process:
#      dotnet src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll replay INPUTS \
#        --chain CHAIN --fault primary:FAULT --parallel 1 --report R.json --out-dir TMP
#    real time, real loopback sockets, the embedded simulated providers; recordings and the audit
#    log (VOICEBRIDGE_DATA) go to a temp dir and are deleted. A replay exiting non-zero (a failed
#    check) keeps its report; a replay that runs longer than FT_REPLAY_TIMEOUT seconds [300] is
#    killed and recorded as exit 124.
# 3. docs/failover-timing/: the reports, one per chain x fault (CHAIN__FAULT.json) and runs.json
#    (machine, commit, exit code and wall time of every replay); replaced only when the sample
#    finished. docs/failover-timing.md: tables per fault kind and the comparison with
#    FAILOVER.md's goals, rendered with python3, else jq (FT_TOOL=python3|jq forces one).
#
# The sample (overridable for a quick look; the committed report uses the defaults):
#   FT_FAULTS         fault specs after "primary:", space-separated
#   FT_LOCAL_INPUTS   recordings for openai-realtime,local          [the three format fixtures of media-fixtures/ (not the corpus)]
#   FT_AZURE_INPUTS   recordings for openai-realtime,azure-realtime [media-fixtures/booking-ulaw8k.wav]
# Exit code: 0 when the report was written, whatever the figures say (they are reported, not
# judged here); non-zero when the build failed or the report could not be written.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

REPORT_MD="docs/failover-timing.md"
REPORT_DIR="docs/failover-timing"
DLL="src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll"
COMMAND="bash scripts/failover-timing.sh"

DEFAULT_FAULTS="close@turn2 error@turn2 stall-response@turn2 stall-audio@turn2+500 blackhole@turn3 refuse@connect http5xx@connect close@user2+400"
read -r -a FAULTS <<<"${FT_FAULTS:-$DEFAULT_FAULTS}"
read -r -a LOCAL_INPUTS <<<"${FT_LOCAL_INPUTS:-media-fixtures/booking-ulaw8k.wav media-fixtures/cancel-noisy-44k-stereo.wav media-fixtures/hours-pcm16k.wav}"
read -r -a AZURE_INPUTS <<<"${FT_AZURE_INPUTS:-media-fixtures/booking-ulaw8k.wav}"
CHAINS=("openai-realtime,local" "openai-realtime,azure-realtime")
REPLAY_TIMEOUT="${FT_REPLAY_TIMEOUT:-300}"
BUILD_ATTEMPTS="${FT_BUILD_ATTEMPTS:-3}"

log() { printf 'failover-timing: %s\n' "$*"; }
die() { printf 'failover-timing: ERROR: %s\n' "$*" >&2; exit 1; }

render_only=0
case "${1:-}" in
  "") ;;
  --render-only) render_only=1 ;;
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

# --- the tool that reads the reports -------------------------------------------------------
TOOL="${FT_TOOL:-}"
if [[ -z $TOOL ]]; then
  if command -v python3 >/dev/null; then TOOL=python3
  elif command -v jq >/dev/null; then TOOL=jq
  else die "neither python3 nor jq is installed: one of them is needed to read the JSON reports (apt-get install python3, or jq)"
  fi
fi
[[ $TOOL == python3 || $TOOL == jq ]] || die "FT_TOOL must be python3 or jq, got '$TOOL'"
command -v "$TOOL" >/dev/null || die "FT_TOOL=$TOOL but $TOOL is not installed"

# ===========================================================================================
# Rendering: runs.json + the reports -> markdown. Two implementations of the same page
# (python3, and jq for machines without python); they must print identical text.
# Percentiles are nearest-rank: pP of n sorted values is the value of rank ceil(P*n/100).
# ===========================================================================================
read -r -d '' PY_RENDER <<'PY' || true
import json, os, sys

report_dir = sys.argv[1]
with open(os.path.join(report_dir, "runs.json")) as f:
    meta = json.load(f)

SIGNALLED = {"close", "error", "refuse", "http5xx", "ratelimit"}
KEEPALIVE_TIMEOUT_MS, AUDIO_STALL_MS, SILENCE_WINDOW_MS, RESPONSE_STALL_MS, SLACK_MS = 2000, 1000, 500, 2500, 50

def kind_of(fault):
    return fault.split("@")[0].split(":")[0]

def detect_goal(kind):
    if kind in SIGNALLED: return 50
    if kind == "blackhole": return KEEPALIVE_TIMEOUT_MS + SLACK_MS
    if kind == "stall-audio": return AUDIO_STALL_MS + SLACK_MS
    if kind == "stall-response": return SILENCE_WINDOW_MS + RESPONSE_STALL_MS + SLACK_MS
    return None

def pct(vals, p):
    v = sorted(x for x in vals if x is not None)
    if not v: return None
    return v[(p * len(v) + 99) // 100 - 1]

def mx(vals):
    v = [x for x in vals if x is not None]
    return max(v) if v else None

def fmt(x):
    return "n/a" if x is None else str(x)

def trio(vals):
    return f"{fmt(pct(vals, 50))} / {fmt(pct(vals, 95))} / {fmt(mx(vals))}"

def fallback(chain):
    return chain.split(",")[-1]

def base(path):
    return path.rstrip("/").split("/")[-1]

switches, calls, runs = [], [], meta["runs"]
for run in runs:
    run["calls"] = []
    path = os.path.join(report_dir, run["report"])
    run["hasReport"] = os.path.exists(path)
    if not run["hasReport"]:
        continue
    with open(path) as f:
        rep = json.load(f)
    for i, c in enumerate(rep.get("calls", [])):
        call = {"run": run, "index": i + 1, "file": base(c.get("file", "?")), "status": c.get("status"),
                "failures": c.get("failures") or [], "switches": c.get("switches") or []}
        run["calls"].append(call)
        calls.append(call)
        users = [t for t in c.get("turns") or [] if t.get("role") == "user"]
        for s in call["switches"]:
            fa, da, ff = s.get("faultAtMs"), s.get("detectedAtMs"), s.get("firstFallbackAudioAtMs")
            cse = s.get("callerSpeechEndMs")
            spoke = None  # n/a: no fallback audio, or the caller had not spoken before the switch
            if ff is not None and any(t.get("endMs", da + 1) <= da for t in users):
                spoke = any(da < t.get("startMs", -1) < ff for t in users)
            # the caller was speaking at the detection (our VAD span contains it)
            mid = any(t.get("startMs", 0) < da < t.get("endMs", -1) for t in users)
            # gap after caller: fallback's first audio - the later of the detection and the end of the
            # caller's last speech before that audio (the harness's view, not FAILOVER.md's handoffMs)
            ends = [t["endMs"] for t in users if ff is not None and t.get("endMs") is not None and t["endMs"] < ff]
            gap = None if ff is None else ff - max([da] + ends)
            # the old engine's reply playing when the switch came (cut off)
            cuts = [t for t in c.get("turns") or [] if t.get("role") == "assistant" and t.get("engine") == s.get("from")
                    and t.get("interrupted") and t.get("startMs", da + 1) <= da]
            cut = cuts[-1] if cuts else None
            switches.append({
                "chain": run["chain"], "fault": run["fault"], "kind": kind_of(run["fault"]), "file": call["file"],
                "index": i + 1, "reason": s.get("reason"),
                "faultAt": fa, "detectedAt": da, "detect": None if fa is None else da - fa,
                "speechEnd": cse, "sinceSpeechEnd": None if cse is None else da - cse,
                "firstAudio": ff, "handoff": s.get("handoffMs"), "deadAir": s.get("deadAirMs"),
                "lost": s.get("lostCallerAudioMs") or 0, "replayed": s.get("replayedCallerAudioMs") or 0,
                "seeded": s.get("seededTurns") or 0, "repeated": s.get("repeatedAgentWords") or 0,
                "dup": s.get("duplicateAgentAudioMs") or 0, "disc": s.get("outboundDiscontinuities") or 0,
                "history": s.get("historyTurnsCarried") or 0, "spokeAgain": spoke, "mid": mid, "gap": gap,
                "cutHeard": None if cut is None else (cut.get("heardText") or ""),
                "cutMs": None if cut is None else cut.get("endMs", 0) - cut.get("startMs", 0)})

out = []
w = out.append
chains = []
for r in runs:
    if r["chain"] not in chains: chains.append(r["chain"])
faults = []
for r in runs:
    if r["fault"] not in faults: faults.append(r["fault"])
m, code = meta["machine"], meta["code"]

w("# Failover timing (real time, loopback sockets)")
w("")
w("Generated by `scripts/failover-timing.sh`; do not edit by hand (rerun it, or `--render-only` to re-render")
w("from the JSON files in `docs/failover-timing/`). The goals are FAILOVER.md's (\"What a handoff must")
w("measure and report\"); the fields are those of `docs/replay-report.md`.")
w("")
w("## How it was made")
w("")
w("```")
w(meta["command"])
w("```")
w("")
w(f"- Date: {meta['startedAt']} to {meta['finishedAt']} (UTC), {meta['wallSeconds'] // 60} min {meta['wallSeconds'] % 60} s in all.")
w(f"- Machine: {m['nproc']} CPUs (`nproc`), {m['cpuModel']} (`/proc/cpuinfo` model name), {m['memTotalMiB']} MiB RAM, {m['os']};"
  f" load average (1/5/15 min) {m['loadAvgStart']} at the start, {m['loadAvgEnd']} at the end. Shared machine: other builds and tests may have run at the same time.")
dirty = code["srcDirty"]
w(f"- Code: commit `{code['commit']}`, " + ("`src/` clean" if not dirty else "`src/` with uncommitted changes: " + ", ".join(f"`{d}`" for d in dirty))
  + f"; .NET SDK {code['dotnetSdk']}; one build, `voicebridge.dll` sha256 "
  + (f"`{code['dllSha256'][0][:16]}...` for every replay." if len(code["dllSha256"]) == 1 else
     "CHANGED between replays (" + ", ".join(f"`{h[:16]}...`" for h in code["dllSha256"]) + "): the figures mix builds."))
w("- Each replay, one process per chain x fault, calls one after the other (`--parallel 1`), in real time over")
w("  loopback sockets against the embedded simulated providers (no network):")
w("")
w("```")
w(meta["replayCommand"])
w("```")
w("")
w("- Sample: " + "; ".join(
    f"`{c}` with {', '.join('`' + x + '`' for x in meta['inputs'][c])}" for c in chains)
  + f"; faults (`primary:` + ) {', '.join('`' + x + '`' for x in faults)}.")
w("- Raw reports: `docs/failover-timing/CHAIN__FAULT.json` (the replay's own report, recordings not kept) and")
w("  `docs/failover-timing/runs.json` (machine, code, exit code and wall time of each replay).")
w("")
w("Reading the tables: detection = `detectedAtMs - faultAtMs`; handoff = `handoffMs`")
w("(`firstFallbackAudioAtMs - max(detectedAtMs, callerSpeechEndMs)`); all in ms. Percentiles are nearest-rank")
w("over the switches of the row (pP = the value of rank ceil(P*n/100)); with n <= 20, p95 is the largest or")
w("second largest value. n is small: these are a sample, not a distribution.")
w("")

# --- goals ---------------------------------------------------------------------------------
def verdict(value, goal):
    if value is None: return "no data"
    return "met" if value <= goal else "**not met**"

w("## Against FAILOVER.md's goals")
w("")
w("| goal | target | measured | verdict |")
w("| --- | --- | --- | --- |")
sig = [s for s in switches if s["kind"] in SIGNALLED]
if sig:
    d = [s["detect"] for s in sig]
    w(f"| detection, signalled faults ({', '.join(sorted({s['kind'] for s in sig}))}), pooled | p95 <= 50 ms |"
      f" p50 / p95 / max {trio(d)} (n {len(d)}) | {verdict(pct(d, 95), 50)} |")
for fault in faults:
    k = kind_of(fault)
    g = detect_goal(k)
    if g is None: continue
    sel = [s for s in switches if s["fault"] == fault]
    d = [s["detect"] for s in sel]
    label = {"blackhole": "keep-alive timeout 2000 + 50", "stall-audio": "audio stall 1000 + 50",
             "stall-response": "silence window 500 + response stall 2500 + 50"}.get(k, "signalled")
    w(f"| detection, `{fault}` | p95 <= {g} ms ({label}) | p50 / p95 / max {trio(d)} (n {len(d)}) | {verdict(pct(d, 95), g)} |")
to_local = [s for s in switches if fallback(s["chain"]) == "local"]
if to_local:
    h = [s["handoff"] for s in to_local]
    w(f"| handoff to the local cascade, every switch | p50 <= 600 ms | p50 / p95 / max {trio(h)} (n {len([x for x in h if x is not None])}) | {verdict(pct(h, 50), 600)} |")
    mid = [s["handoff"] for s in to_local if not s["fault"].endswith("@connect")]
    w(f"| handoff to the local cascade, mid-call faults only (no `@connect`) | p50 <= 600 ms | p50 / p95 / max {trio(mid)} (n {len([x for x in mid if x is not None])}) | {verdict(pct(mid, 50), 600)} |")
    g = [s["gap"] for s in to_local]
    w(f"| for comparison: gap after caller to the local cascade, every switch (derived by this script, see Every switch) | none | p50 / p95 / max {trio(g)} (n {len([x for x in g if x is not None])}) | information |")
for c in chains:
    if fallback(c) == "local": continue
    h = [s["handoff"] for s in switches if s["chain"] == c]
    w(f"| handoff to `{fallback(c)}` (a second Realtime provider) | none (FAILOVER.md's remote goal is for a warm remote cascade) | p50 / p95 / max {trio(h)} (n {len([x for x in h if x is not None])}) | reported |")
missing = [s for s in switches if s["deadAir"] is None]
da_by = "; ".join(f"to `{fallback(c)}` p50 {fmt(pct([s['deadAir'] for s in switches if s['chain'] == c], 50))}, max {fmt(mx([s['deadAir'] for s in switches if s['chain'] == c]))}" for c in chains)
w(f"| `deadAirMs` reported for every switch | every switch | {len(switches) - len(missing)} of {len(switches)} | {'met' if not missing else '**not met**'} |")
w(f"| dead air p50 with warm standby | p50 <= 300 ms | {da_by} | not applicable: this sample runs without warm standby (see failover-warm-standby.md) |")
for key, name in (("lost", "`lostCallerAudioMs`"), ("repeated", "`repeatedAgentWords`"), ("dup", "`duplicateAgentAudioMs`"), ("disc", "`outboundDiscontinuities`")):
    tot = sum(s[key] for s in switches)
    w(f"| {name} | 0 | total {tot} over {len(switches)} switches | {'met' if tot == 0 else '**not met**'} |")
n_pass = sum(1 for c in calls if c["status"] == "passed")
w(f"| every call passes the replay's checks | all | {n_pass} of {len(calls)} calls passed | {'met' if calls and n_pass == len(calls) else '**not met**'} |")
one = sum(1 for c in calls if len(c["switches"]) == 1)
w(f"| every injected fault causes exactly one switch | all | {one} of {len(calls)} calls | {'met' if calls and one == len(calls) else '**not met**'} |")
w("")

# --- runs ----------------------------------------------------------------------------------
w("## Runs")
w("")
w("| chain | fault | exit | calls passed | switches | wall s | report |")
w("| --- | --- | --- | --- | --- | --- | --- |")
for r in runs:
    cs = r["calls"]
    rep = f"`{r['report']}`" if r["hasReport"] else "**missing**"
    w(f"| `{r['chain']}` | `{r['fault']}` | {r['exitCode']} | {sum(1 for c in cs if c['status'] == 'passed')} of {len(cs)} |"
      f" {sum(len(c['switches']) for c in cs)} | {r['wallMs'] // 1000} | {rep} |")
w("")
w("Exit codes: 0 every call passed, 1 a check failed, 2 bad input, 3 internal error, 124 killed after the timeout.")
w("")

# --- per fault -----------------------------------------------------------------------------
w("## Per fault kind")
w("")
w("Per row: switches (n), detection and handoff p50 / p95 / max, dead air p50 / max, and totals over the")
w("switches of lost caller audio (ms), repeated agent words, duplicate agent audio (ms) and outbound")
w("discontinuities.")
for fault in faults:
    sel = [s for s in switches if s["fault"] == fault]
    reasons = {}
    for s in sel: reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
    w("")
    w(f"### `{fault}`")
    w("")
    w("Switch reasons seen: " + (", ".join(f"{k} ({v})" for k, v in reasons.items()) if reasons else "none") + ".")
    w("")
    w("| fallback | n | detection | handoff | dead air | lost | repeated | duplicate | discont. | calls passed |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = [(f"`{fallback(c)}`", [s for s in sel if s["chain"] == c], [x for r in runs if r["chain"] == c and r["fault"] == fault for x in r["calls"]]) for c in chains]
    if len(chains) > 1:
        rows.append(("all", sel, [x for r in runs if r["fault"] == fault for x in r["calls"]]))
    for label, ss, cs in rows:
        w(f"| {label} | {len(ss)} | {trio([s['detect'] for s in ss])} | {trio([s['handoff'] for s in ss])} |"
          f" {fmt(pct([s['deadAir'] for s in ss], 50))} / {fmt(mx([s['deadAir'] for s in ss]))} |"
          f" {sum(s['lost'] for s in ss)} | {sum(s['repeated'] for s in ss)} | {sum(s['dup'] for s in ss)} | {sum(s['disc'] for s in ss)} |"
          f" {sum(1 for c in cs if c['status'] == 'passed')} of {len(cs)} |")
w("")

# --- every switch --------------------------------------------------------------------------
w("## Every switch")
w("")
w("`#` is the call's place in its process (1 = the process's first call: cold JIT and, for the local chain,")
w("the first load of pocketsphinx and espeak-ng). \"caller first\": the caller, who had spoken before the switch,")
w("began another turn after the detection and before the fallback's first audio (n/a: nothing said before the")
w("switch). \"since speech end\": `detectedAtMs - callerSpeechEndMs`. \"gap after caller\" (derived here, not a report")
w("field): `firstFallbackAudioAtMs` minus the later of `detectedAtMs` and the end of the caller's last turn before that")
w("audio, i.e. how long the caller waited after they last stopped speaking.")
w("")
w("| fallback | fault | recording | # | reason | faultAt | detectedAt | detection | since speech end | firstFallbackAudioAt | handoff | gap after caller | dead air | lost | replayed | seeded | history | repeated | duplicate | discont. | caller first |")
w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for s in switches:
    cf = "n/a" if s["spokeAgain"] is None else ("yes" if s["spokeAgain"] else "no")
    w(f"| `{fallback(s['chain'])}` | `{s['fault']}` | {s['file']} | {s['index']} | {s['reason']} | {fmt(s['faultAt'])} | {s['detectedAt']} |"
      f" {fmt(s['detect'])} | {fmt(s['sinceSpeechEnd'])} | {fmt(s['firstAudio'])} | {fmt(s['handoff'])} | {fmt(s['gap'])} | {fmt(s['deadAir'])} | {s['lost']} |"
      f" {s['replayed']} | {s['seeded']} | {s['history']} | {s['repeated']} | {s['dup']} | {s['disc']} | {cf} |")
w("")

# --- failures ------------------------------------------------------------------------------
w("## Failed checks, missing reports, calls without exactly one switch")
w("")
def last_words(r):
    return f"; stderr: `{r['stderrLastLine']}`" if r.get("stderrLastLine") else ""
problems = []
for r in runs:
    if not r["hasReport"]:
        problems.append(f"- `{r['chain']}` `{r['fault']}`: no report (exit {r['exitCode']})" + last_words(r) + ".")
    elif r["exitCode"] != 0:
        problems.append(f"- `{r['chain']}` `{r['fault']}`: exit {r['exitCode']} (the failed checks are below).")
    for c in r["calls"]:
        if c["status"] != "passed":
            problems.append(f"- `{r['chain']}` `{r['fault']}` {c['file']}: {c['status']}" +
                            (": " + "; ".join(c["failures"]) if c["failures"] else "") + ".")
        if len(c["switches"]) != 1:
            problems.append(f"- `{r['chain']}` `{r['fault']}` {c['file']}: {len(c['switches'])} switches.")
w("\n".join(problems) if problems else "None.")
w("")

# --- observations --------------------------------------------------------------------------
w("## Observations computed from the data")
w("")
cold = [s["detect"] for s in sig if s["index"] == 1]
warm = [s["detect"] for s in sig if s["index"] > 1]
firsts = []
for r in runs:
    if r["calls"] and r["calls"][0]["file"] not in firsts: firsts.append(r["calls"][0]["file"])
w(f"- Detection of signalled faults, the first call of its process: p50 / max {fmt(pct(cold, 50))} / {fmt(mx(cold))} (n {len(cold)});"
  f" later calls: p50 / max {fmt(pct(warm, 50))} / {fmt(mx(warm))} (n {len(warm)}). The first call of every process here was"
  f" {', '.join(firsts) if firsts else 'none'} (recordings are replayed in name order), so this sample alone does not separate a"
  " cold process from that recording.")
cut = [s for s in switches if s["cutHeard"] is not None]
def then(s):
    if s["mid"]: return "the caller was already speaking again"
    if s["spokeAgain"]: return "silence until the caller spoke again"
    return "the fallback spoke first"
w(f"- A reply of the old engine was playing when the switch came (cut off) in {len(cut)} of {len(switches)} switches"
  + (": " + "; ".join(f"`{fallback(s['chain'])}` `{s['fault']}` {s['file']}: {s['cutMs']} ms of agent audio heard as"
                      f" \"{s['cutHeard']}\", then {then(s)} (dead air {fmt(s['deadAir'])})" for s in cut) if cut else "") + ".")
first = [s for s in switches if s["spokeAgain"]]
w(f"- The caller, who had spoken before the switch, began another turn before the fallback's first audio in {len(first)} of"
  f" {len(switches)} switches" + ("; there the fallback's first reply came only after that turn, so handoff and dead air include it" if first else "") + ".")
mids = [s for s in switches if s["mid"] and s["speechEnd"] is None]
if mids:
    w(f"- The caller was speaking when the switch was detected (our VAD's span of a caller turn contains `detectedAtMs`) and"
      f" `callerSpeechEndMs` is empty in {len(mids)} switches ({', '.join(sorted(set('`' + s['fault'] + '`' for s in mids)))}):"
      f" their `handoffMs` and `deadAirMs` count the rest of that utterance. Handoff p50 / max {fmt(pct([s['handoff'] for s in mids], 50))} /"
      f" {fmt(mx([s['handoff'] for s in mids]))}, dead air p50 / max {fmt(pct([s['deadAir'] for s in mids], 50))} / {fmt(mx([s['deadAir'] for s in mids]))},"
      f" but gap after caller p50 / max {fmt(pct([s['gap'] for s in mids], 50))} / {fmt(mx([s['gap'] for s in mids]))}.")
conn = [s for s in switches if s["fault"].endswith("@connect")]
if conn:
    w(f"- `@connect` faults strike before the caller has said anything: no caller turn is pending, so `handoffMs` runs"
      f" from the detection to the answer to the caller's first utterance (handoff p50 {fmt(pct([s['handoff'] for s in conn], 50))} ms over"
      f" {len(conn)} switches); it measures the first turn, not the switch.")
rs = [s for s in switches if s["kind"] == "stall-response" and s["sinceSpeechEnd"] is not None]
if rs:
    w(f"- `stall-response`: the simulator withholds the response when its own end of turn and response delay have passed"
      f" (`faultAtMs`), while the bridge's 500 + 2500 ms runs from our VAD's end of the caller's speech; so detection"
      f" from `faultAtMs` is shorter than the threshold. `detectedAtMs - callerSpeechEndMs`: p50 / max"
      f" {fmt(pct([s['sinceSpeechEnd'] for s in rs], 50))} / {fmt(mx([s['sinceSpeechEnd'] for s in rs]))} (threshold 3000).")
print("\n".join(out))
PY

# jq version of the same page (machines without python3). Reads runs.json as $meta and every
# report as $reports (an object: report file name -> report).
read -r -d '' JQ_RENDER <<'JQ' || true
def SIGNALLED: ["close", "error", "refuse", "http5xx", "ratelimit"];
def kind_of: split("@")[0] | split(":")[0];
def detect_goal: . as $k | if (SIGNALLED | index([$k])) != null then 50
  elif . == "blackhole" then 2050 elif . == "stall-audio" then 1050
  elif . == "stall-response" then 3050 else null end;
def pct($p): map(select(. != null)) | sort | if length == 0 then null else .[((($p * length + 99) / 100) | floor) - 1] end;
def mx: map(select(. != null)) | if length == 0 then null else max end;
def fmt: if . == null then "n/a" else tostring end;
def trio: "\(pct(50) | fmt) / \(pct(95) | fmt) / \(mx | fmt)";
def fallback: split(",") | last;
def base: rtrimstr("/") | split("/") | last;
def uniq_in_order: reduce .[] as $x ([]; if index([$x]) == null then . + [$x] else . end);
def nn: map(select(. != null)) | length;
def verdict($goal): if . == null then "no data" elif . <= $goal then "met" else "**not met**" end;
def tick: "`" + . + "`";
def sum_of(f): map(f) | add // 0;

($meta.runs | map(. as $r | ($reports[$r.report]) as $rep
  | . + {hasReport: ($rep != null),
         calls: [($rep.calls // []) | to_entries[] | .key as $i | .value as $c
           | {index: ($i + 1), file: ($c.file // "?" | base), status: $c.status,
              failures: ($c.failures // []), switches: ($c.switches // []), turns: ($c.turns // []),
              users: [($c.turns // [])[] | select(.role == "user")]}]})) as $runs
| [$runs[] as $r | $r.calls[] as $c | $c.switches[] as $s
   | {chain: $r.chain, fault: $r.fault, kind: ($r.fault | kind_of), file: $c.file, index: $c.index,
      reason: $s.reason, faultAt: $s.faultAtMs, detectedAt: $s.detectedAtMs,
      detect: (if $s.faultAtMs == null then null else $s.detectedAtMs - $s.faultAtMs end),
      speechEnd: $s.callerSpeechEndMs,
      sinceSpeechEnd: (if $s.callerSpeechEndMs == null then null else $s.detectedAtMs - $s.callerSpeechEndMs end),
      firstAudio: $s.firstFallbackAudioAtMs, handoff: $s.handoffMs, deadAir: $s.deadAirMs,
      lost: ($s.lostCallerAudioMs // 0), replayed: ($s.replayedCallerAudioMs // 0), seeded: ($s.seededTurns // 0),
      repeated: ($s.repeatedAgentWords // 0), dup: ($s.duplicateAgentAudioMs // 0),
      disc: ($s.outboundDiscontinuities // 0), history: ($s.historyTurnsCarried // 0),
      spokeAgain: (if $s.firstFallbackAudioAtMs == null or (any($c.users[]; (.endMs // ($s.detectedAtMs + 1)) <= $s.detectedAtMs) | not) then null
        else any($c.users[]; (.startMs // -1) as $t | $s.detectedAtMs < $t and $t < $s.firstFallbackAudioAtMs) end),
      mid: any($c.users[]; (.startMs // 0) < $s.detectedAtMs and $s.detectedAtMs < (.endMs // -1)),
      gap: (if $s.firstFallbackAudioAtMs == null then null
        else $s.firstFallbackAudioAtMs - ([$s.detectedAtMs] + [$c.users[] | select(.endMs != null and .endMs < $s.firstFallbackAudioAtMs) | .endMs] | max) end)}
     + ([$c.turns[] | select(.role == "assistant" and .engine == $s.from and .interrupted == true
          and (.startMs // ($s.detectedAtMs + 1)) <= $s.detectedAtMs)] | last
        | if . == null then {cutHeard: null, cutMs: null} else {cutHeard: (.heardText // ""), cutMs: ((.endMs // 0) - (.startMs // 0))} end)] as $switches
| [$runs[].calls[]] as $calls
| ($runs | map(.chain) | uniq_in_order) as $chains
| ($runs | map(.fault) | uniq_in_order) as $faults
| $meta.machine as $m | $meta.code as $code
| [
  "# Failover timing (real time, loopback sockets)",
  "",
  "Generated by `scripts/failover-timing.sh`; do not edit by hand (rerun it, or `--render-only` to re-render",
  "from the JSON files in `docs/failover-timing/`). The goals are FAILOVER.md's (\"What a handoff must",
  "measure and report\"); the fields are those of `docs/replay-report.md`.",
  "",
  "## How it was made",
  "",
  "```",
  $meta.command,
  "```",
  "",
  "- Date: \($meta.startedAt) to \($meta.finishedAt) (UTC), \(($meta.wallSeconds / 60) | floor) min \($meta.wallSeconds % 60) s in all.",
  "- Machine: \($m.nproc) CPUs (`nproc`), \($m.cpuModel) (`/proc/cpuinfo` model name), \($m.memTotalMiB) MiB RAM, \($m.os); load average (1/5/15 min) \($m.loadAvgStart) at the start, \($m.loadAvgEnd) at the end. Shared machine: other builds and tests may have run at the same time.",
  ("- Code: commit `\($code.commit)`, "
    + (if ($code.srcDirty | length) == 0 then "`src/` clean" else "`src/` with uncommitted changes: " + ($code.srcDirty | map(tick) | join(", ")) end)
    + "; .NET SDK \($code.dotnetSdk); one build, `voicebridge.dll` sha256 "
    + (if ($code.dllSha256 | length) == 1 then "`\($code.dllSha256[0][0:16])...` for every replay."
       else "CHANGED between replays (" + ($code.dllSha256 | map("`\(.[0:16])...`") | join(", ")) + "): the figures mix builds." end)),
  "- Each replay, one process per chain x fault, calls one after the other (`--parallel 1`), in real time over",
  "  loopback sockets against the embedded simulated providers (no network):",
  "",
  "```",
  $meta.replayCommand,
  "```",
  "",
  ("- Sample: " + ($chains | map(. as $c | "`\($c)` with " + ($meta.inputs[$c] | map(tick) | join(", "))) | join("; "))
    + "; faults (`primary:` + ) " + ($faults | map(tick) | join(", ")) + "."),
  "- Raw reports: `docs/failover-timing/CHAIN__FAULT.json` (the replay's own report, recordings not kept) and",
  "  `docs/failover-timing/runs.json` (machine, code, exit code and wall time of each replay).",
  "",
  "Reading the tables: detection = `detectedAtMs - faultAtMs`; handoff = `handoffMs`",
  "(`firstFallbackAudioAtMs - max(detectedAtMs, callerSpeechEndMs)`); all in ms. Percentiles are nearest-rank",
  "over the switches of the row (pP = the value of rank ceil(P*n/100)); with n <= 20, p95 is the largest or",
  "second largest value. n is small: these are a sample, not a distribution.",
  "",
  "## Against FAILOVER.md's goals",
  "",
  "| goal | target | measured | verdict |",
  "| --- | --- | --- | --- |",
  ([$switches[] | select(.kind as $k | SIGNALLED | index([$k]) != null)] as $sig
    | if ($sig | length) > 0 then ($sig | map(.detect)) as $d
      | "| detection, signalled faults (\($sig | map(.kind) | unique | join(", "))), pooled | p95 <= 50 ms | p50 / p95 / max \($d | trio) (n \($d | length)) | \($d | pct(95) | verdict(50)) |"
      else empty end),
  ($faults[] as $f | ($f | kind_of) as $k | ($k | detect_goal) as $g | select($g != null)
    | [$switches[] | select(.fault == $f) | .detect] as $d
    | (({"blackhole": "keep-alive timeout 2000 + 50", "stall-audio": "audio stall 1000 + 50",
         "stall-response": "silence window 500 + response stall 2500 + 50"} | .[$k]) // "signalled") as $rowlabel
    | "| detection, `\($f)` | p95 <= \($g) ms (\($rowlabel)) | p50 / p95 / max \($d | trio) (n \($d | length)) | \($d | pct(95) | verdict($g)) |"),
  ([$switches[] | select(.chain | fallback == "local")] as $tl
    | if ($tl | length) > 0 then
        ($tl | map(.handoff)) as $h
        | "| handoff to the local cascade, every switch | p50 <= 600 ms | p50 / p95 / max \($h | trio) (n \($h | nn)) | \($h | pct(50) | verdict(600)) |",
        ([$tl[] | select(.fault | endswith("@connect") | not) | .handoff] as $mid
         | "| handoff to the local cascade, mid-call faults only (no `@connect`) | p50 <= 600 ms | p50 / p95 / max \($mid | trio) (n \($mid | nn)) | \($mid | pct(50) | verdict(600)) |"),
        ($tl | map(.gap) as $g
         | "| for comparison: gap after caller to the local cascade, every switch (derived by this script, see Every switch) | none | p50 / p95 / max \($g | trio) (n \($g | nn)) | information |")
      else empty end),
  ($chains[] as $c | select(($c | fallback) != "local")
    | [$switches[] | select(.chain == $c) | .handoff] as $h
    | "| handoff to `\($c | fallback)` (a second Realtime provider) | none (FAILOVER.md's remote goal is for a warm remote cascade) | p50 / p95 / max \($h | trio) (n \($h | nn)) | reported |"),
  ([$switches[] | select(.deadAir == null)] | length) as $missing
  | "| `deadAirMs` reported for every switch | every switch | \(($switches | length) - $missing) of \($switches | length) | \(if $missing == 0 then "met" else "**not met**" end) |",
  ("| dead air p50 with warm standby | p50 <= 300 ms | "
    + ($chains | map(. as $c | [$switches[] | select(.chain == $c) | .deadAir] as $d | "to `\($c | fallback)` p50 \($d | pct(50) | fmt), max \($d | mx | fmt)") | join("; "))
    + " | not applicable: this sample runs without warm standby (see failover-warm-standby.md) |"),
  (["lost", "`lostCallerAudioMs`"], ["repeated", "`repeatedAgentWords`"], ["dup", "`duplicateAgentAudioMs`"], ["disc", "`outboundDiscontinuities`"]
    | .[0] as $key | .[1] as $name | ($switches | sum_of(.[$key])) as $tot
    | "| \($name) | 0 | total \($tot) over \($switches | length) switches | \(if $tot == 0 then "met" else "**not met**" end) |"),
  ([$calls[] | select(.status == "passed")] | length) as $np
  | "| every call passes the replay's checks | all | \($np) of \($calls | length) calls passed | \(if ($calls | length) > 0 and $np == ($calls | length) then "met" else "**not met**" end) |",
  ([$calls[] | select(.switches | length == 1)] | length) as $one
  | "| every injected fault causes exactly one switch | all | \($one) of \($calls | length) calls | \(if ($calls | length) > 0 and $one == ($calls | length) then "met" else "**not met**" end) |",
  "",
  "## Runs",
  "",
  "| chain | fault | exit | calls passed | switches | wall s | report |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ($runs[] | "| `\(.chain)` | `\(.fault)` | \(.exitCode) | \([.calls[] | select(.status == "passed")] | length) of \(.calls | length) | \(.calls | sum_of(.switches | length)) | \((.wallMs / 1000) | floor) | \(if .hasReport then "`\(.report)`" else "**missing**" end) |"),
  "",
  "Exit codes: 0 every call passed, 1 a check failed, 2 bad input, 3 internal error, 124 killed after the timeout.",
  "",
  "## Per fault kind",
  "",
  "Per row: switches (n), detection and handoff p50 / p95 / max, dead air p50 / max, and totals over the",
  "switches of lost caller audio (ms), repeated agent words, duplicate agent audio (ms) and outbound",
  "discontinuities.",
  ($faults[] as $f
    | [$switches[] | select(.fault == $f)] as $sel
    | ($sel | map(.reason) | uniq_in_order | map(. as $x | "\($x) (\([$sel[] | select(.reason == $x)] | length))")) as $reasons
    | "",
      "### `\($f)`",
      "",
      "Switch reasons seen: \(if ($reasons | length) > 0 then $reasons | join(", ") else "none" end).",
      "",
      "| fallback | n | detection | handoff | dead air | lost | repeated | duplicate | discont. | calls passed |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ((($chains | map(. as $c | ["`\($c | fallback)`", [$sel[] | select(.chain == $c)], [$runs[] | select(.chain == $c and .fault == $f) | .calls[]]]))
        + (if ($chains | length) > 1 then [["all", $sel, [$runs[] | select(.fault == $f) | .calls[]]]] else [] end))[]
       | .[0] as $rowlabel | .[1] as $ss | .[2] as $cs
       | "| \($rowlabel) | \($ss | length) | \($ss | map(.detect) | trio) | \($ss | map(.handoff) | trio) | \($ss | map(.deadAir) | pct(50) | fmt) / \($ss | map(.deadAir) | mx | fmt) | \($ss | sum_of(.lost)) | \($ss | sum_of(.repeated)) | \($ss | sum_of(.dup)) | \($ss | sum_of(.disc)) | \([$cs[] | select(.status == "passed")] | length) of \($cs | length) |")),
  "",
  "## Every switch",
  "",
  "`#` is the call's place in its process (1 = the process's first call: cold JIT and, for the local chain,",
  "the first load of pocketsphinx and espeak-ng). \"caller first\": the caller, who had spoken before the switch,",
  "began another turn after the detection and before the fallback's first audio (n/a: nothing said before the",
  "switch). \"since speech end\": `detectedAtMs - callerSpeechEndMs`. \"gap after caller\" (derived here, not a report",
  "field): `firstFallbackAudioAtMs` minus the later of `detectedAtMs` and the end of the caller's last turn before that",
  "audio, i.e. how long the caller waited after they last stopped speaking.",
  "",
  "| fallback | fault | recording | # | reason | faultAt | detectedAt | detection | since speech end | firstFallbackAudioAt | handoff | gap after caller | dead air | lost | replayed | seeded | history | repeated | duplicate | discont. | caller first |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ($switches[] | "| `\(.chain | fallback)` | `\(.fault)` | \(.file) | \(.index) | \(.reason) | \(.faultAt | fmt) | \(.detectedAt) | \(.detect | fmt) | \(.sinceSpeechEnd | fmt) | \(.firstAudio | fmt) | \(.handoff | fmt) | \(.gap | fmt) | \(.deadAir | fmt) | \(.lost) | \(.replayed) | \(.seeded) | \(.history) | \(.repeated) | \(.dup) | \(.disc) | \(if .spokeAgain == null then "n/a" elif .spokeAgain then "yes" else "no" end) |"),
  "",
  "## Failed checks, missing reports, calls without exactly one switch",
  "",
  ([$runs[] as $r
    | (if ($r.stderrLastLine // "") != "" then "; stderr: `\($r.stderrLastLine)`" else "" end) as $lw
    | (if ($r.hasReport | not) then "- `\($r.chain)` `\($r.fault)`: no report (exit \($r.exitCode))\($lw)."
       elif $r.exitCode != 0 then "- `\($r.chain)` `\($r.fault)`: exit \($r.exitCode) (the failed checks are below)." else empty end),
      ($r.calls[] | (if .status != "passed" then "- `\($r.chain)` `\($r.fault)` \(.file): \(.status)" + (if (.failures | length) > 0 then ": " + (.failures | join("; ")) else "" end) + "." else empty end),
                    (if (.switches | length) != 1 then "- `\($r.chain)` `\($r.fault)` \(.file): \(.switches | length) switches." else empty end))]
   | if length > 0 then join("\n") else "None." end),
  "",
  "## Observations computed from the data",
  "",
  ([$switches[] | select(.kind as $k | SIGNALLED | index([$k]) != null)] as $sig
    | [$sig[] | select(.index == 1) | .detect] as $cold | [$sig[] | select(.index > 1) | .detect] as $warm
    | [$runs[] | select((.calls | length) > 0) | .calls[0].file] | uniq_in_order as $firsts
    | "- Detection of signalled faults, the first call of its process: p50 / max \($cold | pct(50) | fmt) / \($cold | mx | fmt) (n \($cold | length));"
      + " later calls: p50 / max \($warm | pct(50) | fmt) / \($warm | mx | fmt) (n \($warm | length)). The first call of every process here was"
      + " \(if ($firsts | length) > 0 then $firsts | join(", ") else "none" end) (recordings are replayed in name order), so this sample alone does not separate a"
      + " cold process from that recording."),
  ([$switches[] | select(.cutHeard != null)] as $cut
    | "- A reply of the old engine was playing when the switch came (cut off) in \($cut | length) of \($switches | length) switches"
      + (if ($cut | length) > 0 then ": " + ($cut | map("`\(.chain | fallback)` `\(.fault)` \(.file): \(.cutMs) ms of agent audio heard as \"\(.cutHeard)\", then "
          + (if .mid then "the caller was already speaking again" elif .spokeAgain then "silence until the caller spoke again" else "the fallback spoke first" end)
          + " (dead air \(.deadAir | fmt))") | join("; ")) else "" end) + "."),
  ([$switches[] | select(.spokeAgain == true)] as $first
    | "- The caller, who had spoken before the switch, began another turn before the fallback's first audio in \($first | length) of"
      + " \($switches | length) switches" + (if ($first | length) > 0 then "; there the fallback's first reply came only after that turn, so handoff and dead air include it" else "" end) + "."),
  ([$switches[] | select(.mid and .speechEnd == null)] as $mids | select(($mids | length) > 0)
    | "- The caller was speaking when the switch was detected (our VAD's span of a caller turn contains `detectedAtMs`) and"
      + " `callerSpeechEndMs` is empty in \($mids | length) switches (\($mids | map("`" + .fault + "`") | unique | join(", "))):"
      + " their `handoffMs` and `deadAirMs` count the rest of that utterance. Handoff p50 / max \($mids | map(.handoff) | pct(50) | fmt) /"
      + " \($mids | map(.handoff) | mx | fmt), dead air p50 / max \($mids | map(.deadAir) | pct(50) | fmt) / \($mids | map(.deadAir) | mx | fmt),"
      + " but gap after caller p50 / max \($mids | map(.gap) | pct(50) | fmt) / \($mids | map(.gap) | mx | fmt)."),
  ([$switches[] | select(.fault | endswith("@connect"))] as $conn | select(($conn | length) > 0)
    | "- `@connect` faults strike before the caller has said anything: no caller turn is pending, so `handoffMs` runs from the detection to the answer to the caller's first utterance (handoff p50 \($conn | map(.handoff) | pct(50) | fmt) ms over \($conn | length) switches); it measures the first turn, not the switch."),
  ([$switches[] | select(.kind == "stall-response" and .sinceSpeechEnd != null)] as $rs | select(($rs | length) > 0)
    | "- `stall-response`: the simulator withholds the response when its own end of turn and response delay have passed (`faultAtMs`), while the bridge's 500 + 2500 ms runs from our VAD's end of the caller's speech; so detection from `faultAtMs` is shorter than the threshold. `detectedAtMs - callerSpeechEndMs`: p50 / max \($rs | map(.sinceSpeechEnd) | pct(50) | fmt) / \($rs | map(.sinceSpeechEnd) | mx | fmt) (threshold 3000).")
] | join("\n")
JQ

render() { # render REPORT_DIR > markdown
  local dir=$1
  if [[ $TOOL == python3 ]]; then
    python3 -c "$PY_RENDER" "$dir"
  else
    local reports='{}' f
    for f in "$dir"/*.json; do
      [[ $(basename "$f") == runs.json ]] && continue
      reports=$(jq -c --arg name "$(basename "$f")" --slurpfile r "$f" '. + {($name): $r[0]}' <<<"$reports")
    done
    jq -n -r --slurpfile meta "$dir/runs.json" --argjson reports "$reports" '$meta[0] as $meta | '"$JQ_RENDER"
  fi
}

if ((render_only)); then
  [[ -f $REPORT_DIR/runs.json ]] || die "$REPORT_DIR/runs.json not found: run without --render-only first"
  render "$REPORT_DIR" >"$REPORT_MD.tmp"
  mv "$REPORT_MD.tmp" "$REPORT_MD"
  log "wrote $REPORT_MD (rendered with $TOOL from $REPORT_DIR/)"
  exit 0
fi

# ===========================================================================================
# The run
# ===========================================================================================
bash scripts/setup.sh
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
command -v timeout >/dev/null || die "coreutils 'timeout' not found"

started_epoch=$(date -u +%s)
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

attempt=1
until dotnet build src/VoiceBridge.Cli -c Release -nologo -v q -tl:off -clp:ErrorsOnly; do
  ((attempt < BUILD_ATTEMPTS)) || die "build failed $attempt times"
  log "build failed (attempt $attempt of $BUILD_ATTEMPTS; src/ may be mid-edit): retrying in 60 s"
  sleep 60
  attempt=$((attempt + 1))
done
[[ -f $DLL ]] || die "$DLL not found after the build"

WORK=$(mktemp -d -t failover-timing.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/reports" "$WORK/logs" "$WORK/data"
# the node's data (audit.db) goes to the temp dir too, not to ./voicebridge-data
export VOICEBRIDGE_DATA="$WORK/data"
: >"$WORK/runs.tsv"

inputs_for() { # inputs_for CHAIN -> the chain's recordings, space-separated
  if [[ ${1##*,} == local ]]; then echo "${LOCAL_INPUTS[*]}"; else echo "${AZURE_INPUTS[*]}"; fi
}

total=$((${#CHAINS[@]} * ${#FAULTS[@]}))
n=0
for chain in "${CHAINS[@]}"; do
  read -r -a inputs <<<"$(inputs_for "$chain")"
  for fault in "${FAULTS[@]}"; do
    n=$((n + 1))
    name="${chain##*,}__${fault//@/-}.json"
    out_dir="$WORK/audio/${name%.json}"
    mkdir -p "$out_dir"
    sha=$(sha256sum "$DLL" | cut -d' ' -f1)
    log "[$n/$total] $chain, primary:$fault, ${inputs[*]}"
    t0=$(date +%s%3N)
    rc=0
    timeout --kill-after=10 "$REPLAY_TIMEOUT" \
      dotnet "$DLL" replay "${inputs[@]}" --chain "$chain" --fault "primary:$fault" --parallel 1 \
      --report "$WORK/reports/$name" --out-dir "$out_dir" 2>"$WORK/logs/${name%.json}.stderr" \
      | tee "$WORK/logs/${name%.json}.stdout" || rc=$?
    t1=$(date +%s%3N)
    rm -rf "$out_dir" # recordings are not kept
    if ((rc != 0)); then
      log "replay exited $rc; last lines of its stderr:"
      tail -n 5 "$WORK/logs/${name%.json}.stderr" >&2 || true
    fi
    message="" # a failed replay's last words on stderr (why there may be no report)
    if ((rc != 0)); then
      message=$(grep -v '^[[:space:]]*$' "$WORK/logs/${name%.json}.stderr" | tail -n 1 | tr '\t' ' ' | cut -c1-300 || true)
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$chain" "$fault" "${inputs[*]}" "$name" "$rc" "$((t1 - t0))" "$sha" "$message" >>"$WORK/runs.tsv"
  done
done

finished_epoch=$(date -u +%s)
# --- runs.json: machine, code, the sample and each replay ----------------------------------
export FT_COMMAND="$COMMAND" FT_STARTED_AT="$started_at" FT_FINISHED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
export FT_WALL_SECONDS=$((finished_epoch - started_epoch))
export FT_NPROC="$(nproc)"
export FT_CPU_MODEL="$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*:[[:space:]]*//' || echo unknown)"
export FT_MEM_MIB="$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))"
export FT_OS="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}" || uname -sr)"
export FT_LOAD_START="$load_start" FT_LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
export FT_COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
export FT_SRC_DIRTY="$(git status --porcelain -- src 2>/dev/null | sed 's/^...//' || true)"
export FT_DOTNET_SDK="$(dotnet --version)"
export FT_REPLAY_COMMAND="dotnet $DLL replay RECORDINGS --chain CHAIN --fault primary:FAULT --parallel 1 --report docs/failover-timing/CHAIN__FAULT.json --out-dir TEMP-DIR"
export FT_LOCAL_INPUTS_USED="${LOCAL_INPUTS[*]}" FT_AZURE_INPUTS_USED="${AZURE_INPUTS[*]}"

if [[ $TOOL == python3 ]]; then
  python3 - "$WORK/runs.tsv" "$WORK/reports/runs.json" <<'PY'
import json, os, sys
e = os.environ
runs, shas = [], []
for line in open(sys.argv[1]):
    chain, fault, inputs, report, rc, wall, sha, message = line.rstrip("\n").split("\t")
    runs.append({"chain": chain, "fault": fault, "inputs": inputs.split(), "report": report,
                 "exitCode": int(rc), "wallMs": int(wall), "dllSha256": sha, "stderrLastLine": message})
    if sha not in shas: shas.append(sha)
inputs = {}
for r in runs: inputs.setdefault(r["chain"], r["inputs"])
meta = {"schemaVersion": 1, "command": e["FT_COMMAND"], "startedAt": e["FT_STARTED_AT"], "finishedAt": e["FT_FINISHED_AT"],
        "wallSeconds": int(e["FT_WALL_SECONDS"]),
        "machine": {"nproc": int(e["FT_NPROC"]), "cpuModel": e["FT_CPU_MODEL"], "memTotalMiB": int(e["FT_MEM_MIB"]),
                    "os": e["FT_OS"], "loadAvgStart": e["FT_LOAD_START"], "loadAvgEnd": e["FT_LOAD_END"]},
        "code": {"commit": e["FT_COMMIT"], "srcDirty": [l for l in e["FT_SRC_DIRTY"].split("\n") if l],
                 "dotnetSdk": e["FT_DOTNET_SDK"], "dllSha256": shas},
        "replayCommand": e["FT_REPLAY_COMMAND"], "inputs": inputs, "runs": runs}
with open(sys.argv[2], "w") as f:
    json.dump(meta, f, indent=2)
    f.write("\n")
PY
else
  jq -n -R --rawfile tsv "$WORK/runs.tsv" '
    ($tsv | split("\n") | map(select(length > 0) | split("\t")
      | {chain: .[0], fault: .[1], inputs: (.[2] | split(" ")), report: .[3],
         exitCode: (.[4] | tonumber), wallMs: (.[5] | tonumber), dllSha256: .[6], stderrLastLine: .[7]})) as $runs
    | {schemaVersion: 1, command: env.FT_COMMAND, startedAt: env.FT_STARTED_AT, finishedAt: env.FT_FINISHED_AT,
       wallSeconds: (env.FT_WALL_SECONDS | tonumber),
       machine: {nproc: (env.FT_NPROC | tonumber), cpuModel: env.FT_CPU_MODEL, memTotalMiB: (env.FT_MEM_MIB | tonumber),
                 os: env.FT_OS, loadAvgStart: env.FT_LOAD_START, loadAvgEnd: env.FT_LOAD_END},
       code: {commit: env.FT_COMMIT, srcDirty: (env.FT_SRC_DIRTY | split("\n") | map(select(length > 0))),
              dotnetSdk: env.FT_DOTNET_SDK,
              dllSha256: (reduce ($runs[] | .dllSha256) as $s ([]; if index([$s]) == null then . + [$s] else . end))},
       replayCommand: env.FT_REPLAY_COMMAND,
       inputs: (reduce $runs[] as $r ({}; if has($r.chain) then . else . + {($r.chain): $r.inputs} end)),
       runs: $runs}' >"$WORK/reports/runs.json"
fi

# --- publish: the new reports replace the old ones, then the page ---------------------------
mkdir -p "$REPORT_DIR"
find "$REPORT_DIR" -maxdepth 1 -name '*.json' -delete
cp "$WORK/reports/"*.json "$REPORT_DIR/"
render "$REPORT_DIR" >"$REPORT_MD.tmp"
mv "$REPORT_MD.tmp" "$REPORT_MD"
log "wrote $REPORT_MD and $REPORT_DIR/ ($total replays, $((FT_WALL_SECONDS / 60)) min $((FT_WALL_SECONDS % 60)) s)"
