#!/usr/bin/env bash
# fuzz.sh: builds and runs one libFuzzer target (with AddressSanitizer) on a reader, or rewrites the seed corpora.
#   scripts/fuzz.sh png|jpeg|idx|safetensors [seconds] [extra libFuzzer flags...]   # default 60 s
#   scripts/fuzz.sh seeds                                                           # rewrite Fuzz/Corpus/*
# New inputs go to Fuzz/.work/<target> (ignored); crashes to Fuzz/.work/artifacts/<target>/. Reproduce one with
#   Fuzz/.build-fuzz/debug/Fuzz<Target> <crash-file>
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-}"
case "$target" in
  png) product=FuzzPNG ;;
  jpeg) product=FuzzJPEG ;;
  idx) product=FuzzIDX ;;
  safetensors) product=FuzzSafeTensors ;;
  seeds)
    swift build --package-path Fuzz --scratch-path Fuzz/.build-seeds --product fuzz-seeds
    exec Fuzz/.build-seeds/debug/fuzz-seeds Fuzz/Corpus ;;
  *) echo "usage: scripts/fuzz.sh png|jpeg|idx|safetensors|seeds [seconds] [libFuzzer flags...]" >&2; exit 2 ;;
esac
seconds="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))

# Swift code gets libFuzzer's coverage and ASan; the C glue (CImageShims, CKernels) too, through -Xcc.
# Each harness's main.swift hands over to libFuzzer's LLVMFuzzerRunDriver (Fuzz/Sources/CFuzzDriver).
swift build --package-path Fuzz --scratch-path Fuzz/.build-fuzz --product "$product" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
  -Xcc -fsanitize=fuzzer-no-link,address

work="Fuzz/.work/$target"
artifacts="Fuzz/.work/artifacts/$target/"
mkdir -p "$work" "$artifacts"
dict=()
[[ -f "Fuzz/Dictionaries/$target.dict" ]] && dict=(-dict="Fuzz/Dictionaries/$target.dict")
# Swift's crash backtracer would take a trap's SIGILL first and spend seconds symbolicating; libFuzzer should see it.
export SWIFT_BACKTRACE=enable=no
# -rss_limit_mb: a decoder that allocates more than this for a small input is a finding, not a slow run.
exec "Fuzz/.build-fuzz/debug/$product" "$work" "Fuzz/Corpus/$target" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -artifact_prefix="$artifacts" -print_final_stats=1 "${dict[@]}" "$@"
