// `genevectl target serve --profile`: the standalone embedded target behaving like a BlueField DPU's
// DPL P4Runtime server (test/switch/p4runtime/bluefield-profile.test.ts covers the profile itself).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { createP4RuntimeStub } from 'p4runtime-ts-grpc/wire';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/artifacts/program.js';

const CLI = 'src/cli/main.ts';
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

describe('genevectl target serve --profile', () => {
  it('names the allowed profiles when given an unknown one', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', CLI, 'target', 'serve', '--profile', 'tofino'],
      {
        cwd: PACKAGE_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("argument 'tofino' is invalid. Allowed choices are bmv2, bluefield.");
  });

  it('serves the bluefield profile: Capabilities is UNIMPLEMENTED, as on the DPU', async () => {
    const server = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'target', 'serve', '--grpc', '127.0.0.1:0', '--profile', 'bluefield'],
      { cwd: PACKAGE_ROOT },
    );
    children.push(server);
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /\(bluefield profile\): P4Runtime on (\S+),/.exec(out);
        if (m && out.includes('waiting for a controller')) resolve(m[1]);
      });
      server.once('exit', (code) => reject(new Error(`target serve exited with ${code}: ${out}`)));
    });
    const stub = createP4RuntimeStub(address, grpc.credentials.createInsecure());
    const code = await new Promise<grpc.status>((resolve) =>
      stub.capabilities({}, new grpc.Metadata(), {}, (error) => resolve(error ? error.code : grpc.status.OK)),
    );
    stub.close();
    expect(code).toBe(grpc.status.UNIMPLEMENTED);
  }, 60_000);
});
