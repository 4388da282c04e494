#!/usr/bin/env bash
# sanitize.sh: runs the test suites under AddressSanitizer and UndefinedBehaviorSanitizer (Swift and C targets alike).
#   scripts/sanitize.sh [address|undefined|all] [swift test --filter pattern]     # default: all, every test
# Each sanitizer builds in its own scratch folder (.build-asan, .build-ubsan) so the normal .build is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."

which="${1:-all}"
filter=()
[[ $# -ge 2 ]] && filter=(--filter "$2")
case "$which" in
  address) sanitizers=(address) ;;
  undefined) sanitizers=(undefined) ;;
  all) sanitizers=(address undefined) ;;
  *) echo "usage: scripts/sanitize.sh [address|undefined|all] [filter]" >&2; exit 2 ;;
esac

# UBSan reports in C are made fatal (-fno-sanitize-recover) so a finding fails the run; ASan stops at its first.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
status=0
for s in "${sanitizers[@]}"; do
  scratch=.build-asan
  [[ "$s" == undefined ]] && scratch=.build-ubsan
  # swiftc's own checks (overflow, bounds) trap in every build; -sanitize=undefined instruments the C targets.
  extra=()
  [[ "$s" == undefined ]] && extra=(-Xcc -fno-sanitize-recover=undefined)
  echo "== swift test --sanitize=$s (scratch $scratch)"
  if ! swift test --sanitize="$s" --scratch-path "$scratch" "${extra[@]}" "${filter[@]}"; then
    echo "== FAILED under $s" >&2
    status=1
  fi
done
exit $status
