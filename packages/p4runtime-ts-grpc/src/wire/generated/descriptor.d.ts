// GENERATED FILE - DO NOT EDIT.
// Produced by scripts/gen-proto.sh (npm run proto:gen) from proto/ with protobufjs-cli:
//   pbjs -t static-module -w esm -r geneve_offload_p4runtime --dependency protobufjs/minimal.js
//   pbts (typings)
// Edit the .proto files and regenerate instead of changing this file.
import type { Root } from "protobufjs";
/** Reflection root holding every type of proto/ (p4.v1, p4.config.v1, google.rpc, google.protobuf). */
declare const root: Root;
export default root;
