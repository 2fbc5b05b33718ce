#!/usr/bin/env bash
# The project's run command (README): replays recorded caller audio through the bridge.
#
#   bash scripts/run-demo.sh                      # replays media-fixtures/booking-ulaw8k.wav
#   bash scripts/run-demo.sh media-fixtures/      # replays every fixture in the folder
#   bash scripts/run-demo.sh a.wav b.wav --foo    # your files instead of the default, extra options passed on
#   bash scripts/run-demo.sh --foo                # default file, extra options passed on
#
# Runs scripts/setup.sh, then
#   dotnet run --project src/VoiceBridge.Cli -c Release -- \
#     replay <files> --report artifacts/demo/report.json --out-dir artifacts/demo [extra args]
# Leading arguments that do not start with "-" replace the default file; everything
# from the first option on is passed through after the defaults. --report / --out-dir
# given by you replace the defaults. File arguments may be relative to your current
# directory; option values are taken relative to the repository root.
set -euo pipefail

DEFAULT_INPUT="media-fixtures/booking-ulaw8k.wav"
DEFAULT_REPORT="artifacts/demo/report.json"
DEFAULT_OUT_DIR="artifacts/demo"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

inputs=()
while (($#)) && [[ $1 != -* ]]; do
  # keep paths given relative to the caller's directory working after the cd below
  if [[ -e $1 && $1 != /* && $PWD != "$ROOT" ]]; then
    inputs+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")")
  else
    inputs+=("$1")
  fi
  shift
done
((${#inputs[@]})) || inputs=("$DEFAULT_INPUT")
extra=("$@")

cd "$ROOT"
bash scripts/setup.sh

defaults=()
has_opt() { local o; for o in "${extra[@]+"${extra[@]}"}"; do [[ $o == "$1" || $o == "$1="* ]] && return 0; done; return 1; }
has_opt --report || defaults+=(--report "$DEFAULT_REPORT")
has_opt --out-dir || defaults+=(--out-dir "$DEFAULT_OUT_DIR")
mkdir -p "$DEFAULT_OUT_DIR"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cmd=(dotnet run --project src/VoiceBridge.Cli -c Release --
  replay "${inputs[@]}" "${defaults[@]+"${defaults[@]}"}" "${extra[@]+"${extra[@]}"}")
echo "run-demo: ${cmd[*]}"
exec "${cmd[@]}"
