/**
 * Generic P4Runtime client (subpath `geneve-offload/p4runtime`): typed P4Runtime v1 messages,
 * the gRPC service definition, P4Info loading and indexing, value codecs, entity builders by
 * name, and a client with arbitration, batched writes, streaming reads and packet/digest I/O.
 *
 * @packageDocumentation
 */
export * from './client.js';
export * from './codec.js';
export * from './entities/index.js';
export * from './errors.js';
export * from './p4data.js';
export * from './p4info/index.js';
export * from './p4info/load.js';
export { closestNames, editDistance } from './p4info/suggest.js';
export { parseTextFormat } from './p4info/textformat.js';
export * from './packet-io.js';
export * from './read.js';
export * from './stream.js';
export { fromLong, fromUint128, toLong, toUint128 } from './wire/long.js';
export * from './wire/p4runtime-service.js';
export * from './wire/rpc-status.js';
export * from './write.js';
