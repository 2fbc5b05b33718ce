#!/usr/bin/env bash
# The micro-benchmarks (bench/VoiceBridge.Benchmarks, BenchmarkDotNet, [MemoryDiagnoser]):
#
#   bash scripts/bench.sh [FILTER] [extra BenchmarkDotNet args...]
#
# FILTER is BenchmarkDotNet's --filter glob ('*' when absent, e.g. '*Playout*'). Runs the short
# job (3 iterations: the figures in docs/performance.md were made this way on a shared 2-core
# machine), writes the reports to artifacts/bench/results/ and prints where they are.
# Allocation figures are exact; timings are indicative.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

filter="${1:-*}"
shift || true
out="artifacts/bench"
dotnet run -c Release --project bench/VoiceBridge.Benchmarks -- \
  --filter "$filter" --job short --artifacts "$out" "$@"

echo
echo "bench.sh: reports (markdown, CSV, HTML) in $ROOT/$out/results/:"
ls -1 "$out/results/" 2>/dev/null | sed 's/^/  /'
