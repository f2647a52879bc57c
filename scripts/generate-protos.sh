#!/usr/bin/env bash
# Regenerates Sources/MotCuaProtocol/Generated from Protos/ with protoc and the two plugins built from the
# package's own dependencies (swift-protobuf's protoc-gen-swift, grpc-swift-protobuf's protoc-gen-grpc-swift-2),
# and the server's routing table (Sources/MotCuaServer/Generated/MotCuaRoutes.swift, scripts/generate-routes.py).
# No SwiftPM build plugin: the generated code is committed. `--check` fails if the committed code differs.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
include=/usr/include
[ -f "$include/google/protobuf/timestamp.proto" ] || { echo "google/protobuf/*.proto not found: apt-get install libprotobuf-dev" >&2; exit 1; }

swift build --product protoc-gen-swift >/dev/null
swift build --product protoc-gen-grpc-swift-2 >/dev/null
bin=$(swift build --show-bin-path)

# Messages (MotCuaProtocol, what the server needs) and grpc-swift-2 client stubs (MotCuaClients, for Swift tests
# only: the server serves through LeanGRPC and generates no grpc-swift server code).
out=Sources/MotCuaProtocol/Generated
clients=Sources/MotCuaClients/Generated
target=$out
clients_target=$clients
if [ "${1:-}" = "--check" ]; then target=$(mktemp -d); clients_target=$(mktemp -d); fi
rm -rf "$target"/*.swift "$clients_target"/*.swift 2>/dev/null || true
mkdir -p "$target" "$clients_target"

protos=(Protos/motcua/v1/*.proto Protos/grpc/health/v1/health.proto)
protoc -I Protos -I "$include" \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_out="$target" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores,UseAccessLevelOnImports=true \
  --grpc-swift_out="$clients_target" \
  --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=false,UseAccessLevelOnImports=true,ExtraModuleImports=MotCuaProtocol \
  "${protos[@]}"

routes=Sources/MotCuaServer/Generated/MotCuaRoutes.swift
routes_target=$routes
if [ "${1:-}" = "--check" ]; then routes_target="$target/routes.swift"; fi
mkdir -p "$(dirname "$routes")"
protoc -I Protos -I "$include" --include_imports --descriptor_set_out=/dev/stdout "${protos[@]}" \
  | protoc -I "$include" --decode=google.protobuf.FileDescriptorSet google/protobuf/descriptor.proto \
  | python3 scripts/generate-routes.py >"$routes_target"

if [ "${1:-}" = "--check" ]; then
  if ! diff -q "$routes" "$routes_target" >/dev/null; then
    diff "$routes" "$routes_target" | head -40 >&2
    echo "the routing table is out of date: run scripts/generate-protos.sh and commit" >&2
    exit 1
  fi
  rm "$routes_target"
  if ! diff -r "$out" "$target" >/dev/null || ! diff -r "$clients" "$clients_target" >/dev/null; then
    diff -r "$out" "$target" | head -40 >&2
    diff -r "$clients" "$clients_target" | head -40 >&2
    echo "generated code is out of date: run scripts/generate-protos.sh and commit" >&2
    exit 1
  fi
  echo "generated code matches Protos/"
fi
