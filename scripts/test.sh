#!/usr/bin/env bash
# test.sh: all the tests, as CI runs them: packages, the Swift test suites, the documentation build, hostile inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift test
# The DocC catalogs of DRAWKernels and DRAW must build without a warning (about 25 s after the test build).
bash scripts/docs.sh
# A few hundred hostile inputs (absurd numbers, broken checkpoints, lying image headers, FIFOs, broken run.json):
# each must be refused with a message and an exit status below 128, in bounded time and memory.
python3 scripts/hostile.py .build/debug/draw --quick
