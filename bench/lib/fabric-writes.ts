// The writes of the controller bench's first apply to device 0 of the benchmark fabric, as the
// controller makes them without a device: the plan encoded and diffed against an empty device
// (as first-apply-cpu.ts does), ordered and cut as reconcile.ts `applyChanges` does (phases by
// rank, chunks of 10,000 changes, Write requests of 400 updates). Shared by fabric-replay.ts (a
// served target) and fabric-replay-local.ts (the server's write path in one process).
import type { EncodedUpdate, WriteUpdate } from 'p4runtime-ts-grpc';
import { p4 } from 'p4runtime-ts-grpc/wire';
import { entitiesForProgram } from '../../src/controller/device-profile.js';
import { planDevice } from '../../src/controller/index.js';
import { planPuntMeters } from '../../src/controller/punt-meters.js';
import { WireSnapshot } from '../../src/controller/read-wire.js';
import { type Change, orderChanges } from '../../src/controller/reconcile.js';
import { diffWire } from '../../src/controller/wire-diff.js';
import { offlineFabric } from './offline-fabric.js';

/** As reconcile.ts: WRITE_BATCH_SIZE, and the chunk of applyChanges. */
export const BATCH = 400;
export const CHUNK = 10_000;

/** One `client.write` of the apply: its updates and the table of each. */
export interface FabricChunk {
  readonly updates: WriteUpdate[];
  readonly tables: string[];
}

/** Device 0's first-apply writes, chunk by chunk in the apply's order. */
export async function fabricWrites(): Promise<FabricChunk[]> {
  const { client, targets } = await offlineFabric();
  try {
    const plan = planDevice(targets[0]);
    plan.entities = entitiesForProgram(client.p4info, plan.entities);
    plan.entities.push(...planPuntMeters(client.p4info, targets[0].intent.puntLimits));
    const diff = diffWire(client, client.p4info, plan.entities, new WireSnapshot());
    const chunks: FabricChunk[] = [];
    for (const phase of orderChanges(diff.changes))
      for (let start = 0; start < phase.length; start += CHUNK) {
        const slice = phase.slice(start, start + CHUNK);
        chunks.push({
          updates: slice.map((c: Change) => c.update ?? { type: 1, entity: c.entity }),
          tables: slice.map((c) => c.table),
        });
      }
    return chunks;
  } finally {
    await client.close();
  }
}

const isEncoded = (u: WriteUpdate): u is EncodedUpdate => (u as EncodedUpdate).encodedEntity !== undefined;

/**
 * The WriteRequest bytes of `updates` with device id 1 and election id 1: the bytes the client
 * sends (its write.ts writes an encoded update as type, then the entity's bytes).
 */
export function writeRequestBytes(updates: readonly WriteUpdate[]): Uint8Array {
  const parts: Uint8Array[] = [
    p4.v1.WriteRequest.encode({ deviceId: 1, electionId: { high: 0, low: 1 } }).finish(),
  ];
  for (const u of updates) {
    let update: Uint8Array;
    if (isEncoded(u)) {
      const entity = u.encodedEntity.subarray(u.entityStart ?? 0, u.entityEnd ?? u.encodedEntity.length);
      // Update { type = 1, entity = 2 }.
      update = concat([
        p4.v1.Update.encode({ type: u.type ?? 0 }).finish(),
        Uint8Array.of(0x12),
        varint(entity.length),
        entity,
      ]);
    } else update = p4.v1.Update.encode(u).finish();
    parts.push(Uint8Array.of(0x22), varint(update.length), update);
  }
  return concat(parts);
}

function varint(v: number): Uint8Array {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Uint8Array.from(out);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
