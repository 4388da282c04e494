#!/usr/bin/env bash
# bench-compare.sh: kernel benchmarks of this checkout against another ref (default main), with package-benchmark's baselines.
# Usage: scripts/bench-compare.sh [BASE_REF] [--filter REGEX]. Exit code: package-benchmark's (0 equal, 2 regression, 4 only improvements).
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-main}"; shift || true
args=("$@")
bench() { swift package --disable-sandbox --allow-writing-to-package-directory benchmark "$@"; }

# The base ref in a throwaway worktree, so its build and baseline never touch this checkout's sources.
tmp="$(mktemp -d)"
trap 'git worktree remove --force "$tmp" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp" "$base" >/dev/null
(cd "$tmp/Benchmarks" && bench baseline update base --no-progress "${args[@]}")
mkdir -p Benchmarks/.benchmarkBaselines
cp -R "$tmp/Benchmarks/.benchmarkBaselines/." Benchmarks/.benchmarkBaselines/

cd Benchmarks
bench baseline update branch --no-progress "${args[@]}"
# The table of differences, then the check against the thresholds in the code (35% on the main rows' rates).
bench baseline compare base branch --no-progress "${args[@]}" || true
bench baseline check base branch --no-progress "${args[@]}"
