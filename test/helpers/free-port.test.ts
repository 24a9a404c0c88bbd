import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPorts, LEASE_DIR, leasePort } from './free-port.js';

/** The id of a process that has ended (one started and waited for). */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('freeLoopbackPorts', () => {
  it('hands out distinct ports, each leased to this process', async () => {
    const ports = await freeLoopbackPorts(8);
    expect(new Set(ports).size).toBe(8);
    for (const port of ports) {
      expect(readFileSync(join(LEASE_DIR, String(port)), 'utf8')).toBe(String(process.pid));
    }
    // Never again while this process lives, here or in any other caller.
    const again = await freeLoopbackPorts(8);
    expect(again.filter((p) => ports.includes(p))).toEqual([]);
    for (const port of ports) expect(leasePort(port)).toBe(false);
  });

  it('takes over the lease of a process that ended, and leaves that of a live one', async () => {
    const [port] = await freeLoopbackPorts(1);
    const path = join(LEASE_DIR, String(port));
    writeFileSync(path, String(endedPid()));
    expect(leasePort(port)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    // A live process other than this one: the parent (vitest's).
    writeFileSync(path, String(process.ppid));
    expect(leasePort(port)).toBe(false);
    expect(existsSync(path)).toBe(true);
  });
});
