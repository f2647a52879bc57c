#!/usr/bin/env bash
# Regenerates Sources/MotCuaProtocol/Generated from Protos/ with protoc and the two plugins built from the
# package's own dependencies (swift-protobuf's protoc-gen-swift, grpc-swift-protobuf's protoc-gen-grpc-swift-2).
# No SwiftPM build plugin: the generated code is committed. `--check` fails if the committed code differs.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
include=/usr/include
[ -f "$include/google/protobuf/timestamp.proto" ] || { echo "google/protobuf/*.proto not found: apt-get install libprotobuf-dev" >&2; exit 1; }

swift build --product protoc-gen-swift >/dev/null
swift build --product protoc-gen-grpc-swift-2 >/dev/null
bin=$(swift build --show-bin-path)

out=Sources/MotCuaProtocol/Generated
target=$out
if [ "${1:-}" = "--check" ]; then target=$(mktemp -d); fi
rm -rf "$target"/*.swift 2>/dev/null || true
mkdir -p "$target"

protos=(Protos/motcua/v1/*.proto Protos/grpc/health/v1/health.proto)
protoc -I Protos -I "$include" \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_out="$target" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores,UseAccessLevelOnImports=true \
  --grpc-swift_out="$target" \
  --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true,UseAccessLevelOnImports=true \
  "${protos[@]}"

if [ "${1:-}" = "--check" ]; then
  if ! diff -r "$out" "$target" >/dev/null; then
    diff -r "$out" "$target" | head -40 >&2
    echo "generated code is out of date: run scripts/generate-protos.sh and commit" >&2
    exit 1
  fi
  echo "generated code matches Protos/"
fi
