#!/usr/bin/env bash
# The project's test command (README, CI via .ci/run):
#
#   bash scripts/test.sh [extra dotnet test args...]
#
# 1. scripts/setup.sh (idempotent machine set-up)
# 2. dotnet test VoiceBridge.sln -c Release (restore + build included), with the
#    console logger (per-test lines and each assembly's "Total tests" summary) and
#    one TRX file per test assembly in artifacts/test-results/
#    CI=true adds --blame-hang-timeout 5m: a hung test host is killed and the hung
#    test is named, instead of eating CI's time budget.
# 3. names every failed test with the first lines of its message and stack (from
#    the TRX files, so the failures are in the last screen of output, not only
#    hundreds of lines above it), then sums the <Counters/> of every TRX written
#    and prints, as the last line,
#      N passed, N failed, N skipped
# Exit code: dotnet test's (0 only when every test assembly passed).
#
# TEST_VERBOSITY=minimal shows the one-line "Passed!/Failed! - Failed: N, Passed: N,
# Skipped: N, Total: N" summary per assembly instead of one line per test (the
# console logger prints that one-liner only at quiet/minimal verbosity).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RESULTS_DIR="artifacts/test-results"
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

# LogFilePrefix (not LogFileName): with a fixed LogFileName every test assembly of
# the solution writes the same results.trx and only the last one survives
# (microsoft/vstest#3026). The prefix gets "_<tfm>_<timestamp>.trx" appended.
args=(
  test VoiceBridge.sln -c Release
  -tl:off
  --logger "console;verbosity=${TEST_VERBOSITY:-normal}"
  --logger "trx;LogFilePrefix=results"
  --results-directory "$RESULTS_DIR"
)
if [[ ${CI:-} == true ]]; then
  args+=(--blame-hang-timeout "${TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none)
fi

echo "test.sh: dotnet ${args[*]} $*"
rc=0
dotnet "${args[@]}" "$@" || rc=$?

# --- sum the TRX counters -------------------------------------------------------
shopt -s nullglob globstar
trx_files=("$RESULTS_DIR"/**/*.trx)
shopt -u globstar

attr() { # attr NAME COUNTERS_TAG -> value (0 when absent)
  local v
  v=$(printf '%s\n' "$2" | sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p")
  printf '%s' "${v:-0}"
}

# failed_tests TRX: each failed test's name, then its <Message> and <StackTrace>
# (the first FAILED_TEST_LINES lines of each, default 12), indented
failed_tests() {
  awk -v max="${FAILED_TEST_LINES:-12}" '
    function unxml(t) {
      gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t); gsub(/&quot;/, "\"", t); gsub(/&apos;/, "\047", t)
      gsub(/&amp;/, "\\&", t)
      return t
    }
    /<UnitTestResult / {
      failed = ($0 ~ /outcome="Failed"/)
      if (failed) {
        name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
        print "  FAILED " unxml(name)
      }
    }
    failed && /<Message>|<StackTrace>/ { grab = 1; n = 0 }
    failed && grab {
      line = $0; sub(/^[ \t]*<(Message|StackTrace)>/, "", line); sub(/<\/(Message|StackTrace)>/, "", line)
      if (n++ < max) print "      " unxml(line)
    }
    failed && /<\/Message>|<\/StackTrace>/ { grab = 0 }
    /<\/UnitTestResult>/ { failed = 0; grab = 0 }
  ' "$1"
}

tot_p=0 tot_f=0 tot_s=0
for trx in "${trx_files[@]}"; do
  failures=$(failed_tests "$trx")
  if [[ -n $failures ]]; then
    echo
    echo "test.sh: failed tests in $(basename "$trx"):"
    printf '%s\n' "$failures"
  fi
done
echo
echo "test.sh: results per test assembly (from ${#trx_files[@]} TRX file(s) in $RESULTS_DIR):"
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  storage=$(grep -o 'storage="[^"]*"' "$trx" | head -n 1 | sed 's/^storage="//; s/"$//' || true)
  name=$(basename "${storage:-$trx}")
  if [[ -z $counters ]]; then
    echo "  $name: no <Counters> in $(basename "$trx") (test run aborted?)"
    continue
  fi
  total=$(attr total "$counters")
  passed=$(attr passed "$counters")
  # everything that ran and did not pass counts as failed
  failed=$(($(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters")))
  # xunit's skipped tests are in total but not executed; count anything else not run as skipped too
  skipped=$((total - passed - failed))
  ((skipped >= 0)) || skipped=0
  outcome=$(grep -o '<ResultSummary outcome="[A-Za-z]*"' "$trx" | head -n 1 | sed 's/.*outcome="//; s/"$//' || true)
  note=""
  if [[ $outcome != Completed && $outcome != Passed ]] && ((failed == 0)); then
    # a crashed or hang-killed test host: the test that was running is in no counter
    failed=1
    note=" (run outcome '${outcome:-unknown}': test host crashed or was killed; counted as 1 failure)"
  fi
  echo "  $name: total $total, passed $passed, failed $failed, skipped $skipped$note"
  tot_p=$((tot_p + passed)) tot_f=$((tot_f + failed)) tot_s=$((tot_s + skipped))
done
if ((${#trx_files[@]} == 0)); then
  echo "  none: no test ran (build or restore failure?)"
fi
if ((rc != 0)); then
  echo "test.sh: dotnet test exited with code $rc"
fi
echo "$tot_p passed, $tot_f failed, $tot_s skipped"
exit "$rc"
