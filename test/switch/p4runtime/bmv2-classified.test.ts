// Differential test against real bmv2: seeded random INSERTs into the tables with a priority
// (ternary, range and optional fields) of two programs — valid ones, which the embedded target
// takes through its one-pass INSERT (frontend/classified-insert.ts), and broken ones, which it
// declines to the general path — written to simple_switch_grpc and to the embedded target. Every
// update must get PI's code and message, and a wildcard read the same entries. Runs when
// simple_switch_grpc is on PATH.
import { spawnSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import {
  createP4RuntimeStub,
  type P4RuntimeStub,
  p4ErrorsFromStatus,
  statusFromMetadata,
} from 'p4runtime-ts-grpc/wire';
import { describe, expect, it } from 'vitest';
import { type RunningTarget, startTarget } from '../../scenarios/harness/target.js';
import { classifiedTables, classifiedWrite, random } from './classified-writes.js';
import { fixtureDeviceConfig, fixtureP4Info, p4, uint128 } from './helpers.js';

const HAVE_BMV2 = spawnSync('sh', ['-c', 'command -v simple_switch_grpc'], { encoding: 'utf8' }).status === 0;

const PROGRAMS = ['server_all', 'match_kinds'];
const BATCHES = 12;
const PER_BATCH = 40;

interface UpdateOutcome {
  readonly code: string;
  readonly message: string;
}

/** What one target answered: each batch's per-update outcomes, then the wildcard read. */
interface Played {
  readonly batches: UpdateOutcome[][];
  readonly entries: unknown[];
}

function unary(fn: (cb: grpc.requestCallback<unknown>) => void): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => fn((error) => resolve(error)));
}

async function becomePrimary(
  stub: P4RuntimeStub,
): Promise<grpc.ClientDuplexStream<p4.v1.IStreamMessageRequest, p4.v1.StreamMessageResponse>> {
  await new Promise<void>((resolve, reject) =>
    stub.waitForReady(Date.now() + 20_000, (e) => (e ? reject(e) : resolve())),
  );
  const stream = stub.streamChannel(new grpc.Metadata());
  stream.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (m: p4.v1.StreamMessageResponse) => {
      if (m.arbitration) resolve();
    });
    stream.on('error', reject);
    stream.write({ arbitration: { deviceId: 1, electionId: uint128(10n) } });
  });
  return stream;
}

function readAll(stub: P4RuntimeStub): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const out: unknown[] = [];
    const call = stub.read({ deviceId: 1, entities: [{ tableEntry: {} }] }, new grpc.Metadata());
    call.on('data', (r: p4.v1.ReadResponse) => {
      for (const e of r.entities) {
        const json = p4.v1.Entity.toObject(p4.v1.Entity.fromObject(e), {
          bytes: String,
          longs: String,
        }) as { tableEntry?: { isConst?: boolean } };
        delete json.tableEntry?.isConst;
        out.push(json);
      }
    });
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

async function play(target: RunningTarget, program: string, updates: p4.v1.IUpdate[][]): Promise<Played> {
  const stub = createP4RuntimeStub(target.p4runtimeAddress, grpc.credentials.createInsecure());
  const stream = await becomePrimary(stub);
  try {
    const pushed = await unary((cb) =>
      stub.setForwardingPipelineConfig(
        {
          deviceId: 1,
          electionId: uint128(10n),
          action: 3,
          config: { p4info: fixtureP4Info(program), p4DeviceConfig: fixtureDeviceConfig(program) },
        },
        new grpc.Metadata(),
        {},
        cb,
      ),
    );
    if (pushed) throw new Error(`push failed on ${target.kind}: ${pushed.details}`);
    const batches: UpdateOutcome[][] = [];
    for (const batch of updates) {
      const error = await unary((cb) =>
        stub.write({ deviceId: 1, electionId: uint128(10n), updates: batch }, new grpc.Metadata(), {}, cb),
      );
      const status = error ? statusFromMetadata(error.metadata) : undefined;
      batches.push(
        status
          ? p4ErrorsFromStatus(status).map((e) => ({
              code: grpc.status[e.canonicalCode],
              message: e.message,
            }))
          : batch.map(() => ({ code: 'OK', message: '' })),
      );
    }
    return { batches, entries: await readAll(stub) };
  } finally {
    stream.end();
    stub.close();
    await target.stop();
  }
}

/** Ours must carry PI's message first (then our detail); PI's empty messages allow anything. */
function samePiMessage(ours: string, pi: string): boolean {
  const base = pi.replace(/\.$/, '');
  return base === '' || ours === pi || ours.startsWith(`${base}: `) || ours === base;
}

describe.runIf(HAVE_BMV2)(
  'random INSERTs into tables with a priority, against bmv2 simple_switch_grpc',
  () => {
    for (const [n, program] of PROGRAMS.entries()) {
      it(`${program}: the same codes, messages and entries`, async () => {
        const p4info = fixtureP4Info(program);
        const tables = classifiedTables(p4info);
        const rnd = random(3700 + n);
        const updates = Array.from({ length: BATCHES }, () =>
          Array.from({ length: PER_BATCH }, () => classifiedWrite(tables, p4info, rnd)),
        );
        const pi = await play(await startTarget('bmv2'), program, updates);
        const ours = await play(await startTarget('embedded'), program, updates);
        let applied = 0;
        pi.batches.forEach((batch, b) => {
          expect(ours.batches[b].map((u) => u.code)).toEqual(batch.map((u) => u.code));
          batch.forEach((u, i) => {
            const mine = ours.batches[b][i].message;
            expect(
              samePiMessage(mine, u.message),
              `batch ${b} update ${i}: '${mine}' vs PI '${u.message}'`,
            ).toBe(true);
            if (u.code === 'OK') applied++;
          });
        });
        expect(applied).toBeGreaterThan(30);
        expect(pi.entries.length).toBeGreaterThan(30);
        expect(ours.entries).toEqual(pi.entries);
      }, 120_000);
    }
  },
);
