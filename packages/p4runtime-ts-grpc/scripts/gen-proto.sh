#!/usr/bin/env bash
# Regenerates packages/p4runtime-ts-grpc/src/wire/generated/ from the schemas in proto/ (run: npm run proto:gen).
#
# Output: one static ES module (p4runtime.js, protobufjs static code, no reflection at run
# time) plus its typings (p4runtime.d.ts, from pbts), and descriptor.js/.d.ts, a reflection
# root of the same schemas for text-format/JSON loading. We emit plain .js + .d.ts rather than
# .ts because pbjs/pbts only produce that pair; under NodeNext the client imports it as
# './generated/p4runtime.js' and TypeScript picks up the sibling .d.ts.
# The protobufjs runtime is imported as 'protobufjs/minimal.js' (explicit file, as ESM
# resolution of a CommonJS package subpath needs the extension).
set -euo pipefail
cd "$(dirname "$0")/../../.."

out=packages/p4runtime-ts-grpc/src/wire/generated
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

header="// GENERATED FILE - DO NOT EDIT.
// Produced by scripts/gen-proto.sh (npm run proto:gen) from proto/ with protobufjs-cli:
//   pbjs -t static-module -w esm -r geneve_offload_p4runtime --dependency protobufjs/minimal.js
//   pbts (typings)
// Edit the .proto files and regenerate instead of changing this file."

npx --no-install pbjs -t static-module -w esm \
  -r geneve_offload_p4runtime \
  --dependency protobufjs/minimal.js \
  -p proto \
  -o "$tmp/p4runtime.js" \
  proto/p4/v1/p4runtime.proto proto/google/rpc/code.proto proto/p4/bm/dataplane_interface.proto
npx --no-install pbts -o "$tmp/p4runtime.d.ts" "$tmp/p4runtime.js"
# The typings need the JSDoc; the shipped module does not, so emit it again without comments.
npx --no-install pbjs -t static-module -w esm -r geneve_offload_p4runtime --dependency protobufjs/minimal.js \
  --no-comments -p proto -o "$tmp/p4runtime.js" proto/p4/v1/p4runtime.proto proto/google/rpc/code.proto proto/p4/bm/dataplane_interface.proto

# Reflection descriptors (JSON module) for the few places that need schema at run time:
# the protobuf text-format and JSON P4Info loaders.
npx --no-install pbjs -t json-module -w esm -r geneve_offload_p4runtime_reflection \
  --dependency protobufjs/light.js -p proto -o "$tmp/descriptor.js" \
  proto/p4/v1/p4runtime.proto proto/google/rpc/code.proto proto/p4/bm/dataplane_interface.proto

{ echo "$header"; cat "$tmp/p4runtime.js"; } > "$out/p4runtime.js"
{ echo "$header"; cat "$tmp/descriptor.js"; } > "$out/descriptor.js"
{
  echo "$header"
  echo 'import type { Root } from "protobufjs";'
  echo '/** Reflection root holding every type of proto/ (p4.v1, p4.config.v1, google.rpc, google.protobuf). */'
  echo 'declare const root: Root;'
  echo 'export default root;'
} > "$out/descriptor.d.ts"
{ echo "$header"; cat "$tmp/p4runtime.d.ts"; } > "$out/p4runtime.d.ts"
echo "wrote $out/{p4runtime,descriptor}.{js,d.ts}"
