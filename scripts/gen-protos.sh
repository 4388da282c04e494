#!/usr/bin/env bash
# gen-protos.sh: regenerates Sources/DRAWTensorBoard/Generated/*.pb.swift from protos/tensorboard/*.proto.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift of the swift-protobuf version Package.swift uses;
# the plugin is built once in a scratch clone (about 10 minutes on 2 cores) unless PROTOC_GEN_SWIFT names one.
# The generated files are committed: building the project needs neither tool.
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.39.0
plugin=${PROTOC_GEN_SWIFT:-}
if [[ -z "$plugin" ]]; then
    scratch=${TMPDIR:-/tmp}/draw-swift-protobuf-$version
    if [[ ! -x "$scratch/.build/release/protoc-gen-swift" ]]; then
        rm -rf "$scratch"
        git clone --quiet --depth 1 --branch "$version" https://github.com/apple/swift-protobuf "$scratch"
        (cd "$scratch" && swift build -c release --product protoc-gen-swift)
    fi
    plugin=$scratch/.build/release/protoc-gen-swift
fi
command -v protoc >/dev/null || { echo "gen-protos.sh: protoc is missing (apt-get install protobuf-compiler)" >&2; exit 1; }
out=Sources/DRAWTensorBoard/Generated
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" --proto_path=protos --swift_out="$out" \
       --swift_opt=Visibility=Internal --swift_opt=FileNaming=DropPath \
       protos/tensorboard/event.proto protos/tensorboard/summary.proto
echo "gen-protos.sh: wrote $(ls "$out"/*.pb.swift | tr '\n' ' ')"
