/**
 * Free TCP ports on loopback for servers that tests and benchmarks start in other processes
 * (bmv2's simple_switch_grpc, `genevectl target serve`), which bind them a moment later.
 *
 * Two ways a port could be handed out twice, and what stops each:
 * - Within one call: every port of the call is bound to port 0 and held until all are known, so
 *   the kernel cannot give the one just released to the next.
 * - Between calls, here or in another process (vitest's workers, a second checkout's CI): each port
 *   handed out is leased to this process by a file in {@link LEASE_DIR}, made exclusively; no other
 *   caller takes a port whose lease belongs to a live process. This matters because gRPC C++ servers
 *   listen with SO_REUSEPORT: two bmv2s given one port both bind it, and the kernel splits the
 *   connections between them (a P4Runtime client that reached the other's dataplane service saw
 *   UNIMPLEMENTED), where any other server would have failed to bind.
 * A lease lasts as long as the process that took it; one left by a process that crashed is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LEASE_DIR = join(tmpdir(), 'geneve-vtep-port-leases');

/** This process's leases, given back when it exits (a lease of one that crashed is taken over). */
const leased = new Set<number>();
process.once('exit', () => {
  for (const port of leased) rmSync(join(LEASE_DIR, String(port)), { force: true });
});

function listenOnAnyPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no port bound'));
      else resolve(address.port);
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leases `port` to this process; false if a live process (this one included) holds it. */
export function leasePort(port: number): boolean {
  mkdirSync(LEASE_DIR, { recursive: true });
  const path = join(LEASE_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      leased.add(port);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(path, 'utf8'));
    } catch {
      // Removed since: try again.
      continue;
    }
    // An empty file is a lease being written right now.
    if (!Number.isInteger(holder) || holder === 0 || isAlive(holder)) return false;
    rmSync(path, { force: true });
  }
  return false;
}

/** `count` distinct free ports on 127.0.0.1, each leased to this process (see the file's comment). */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = createServer();
      // Held (not closed) even when refused, so that the kernel hands out another port next.
      held.push(server);
      const port = await listenOnAnyPort(server);
      if (leasePort(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** One free port on 127.0.0.1, leased to this process. */
export async function freeLoopbackPort(): Promise<number> {
  const [port] = await freeLoopbackPorts(1);
  return port;
}
