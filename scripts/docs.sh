#!/usr/bin/env bash
# docs.sh: builds the DocC documentation of DRAWKernels and DRAW with warnings as errors (CI runs it; exits non-zero on any warning).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${DOCS_OUTPUT:-.build/docs}"
mkdir -p "$out"
for target in DRAWKernels DRAW; do
    start=$(date +%s)
    swift package --allow-writing-to-directory "$out" generate-documentation --target "$target" \
        --warnings-as-errors --output-path "$out/$target" --disable-indexing
    echo "docs: $target built in $(( $(date +%s) - start ))s -> $out/$target"
done
