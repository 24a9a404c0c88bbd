// What the benches read of a process's CPU: the CPU seconds a process (or one of its threads) has
// used, from /proc, the self time per function of a V8 CPU profile (inspector `Profiler.stop`), and
// the bytes allocated per function of V8's sampling heap profiler (`HeapProfiler.stopSampling`).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Session } from 'node:inspector/promises';

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; undefined off Linux. */
export function cpuSeconds(pid: number | undefined, thread?: number): number | undefined {
  try {
    const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime is the 14th
    // field of the line and stime the 15th, in clock ticks (100 per second on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A process's threads and the nanoseconds each has run (/proc/<pid>/task/<tid>/schedstat). */
export type ThreadTimes = ReadonlyMap<string, number>;

/** {@link ThreadTimes} of a process now; undefined off Linux or where the kernel keeps no schedstats. */
export function threadTimes(pid: number): ThreadTimes | undefined {
  try {
    const times = new Map<string, number>();
    let any = false;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const ns = Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      times.set(task, ns);
      any ||= ns > 0;
    }
    return any ? times : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds a process used between two {@link threadTimes}, to the nanosecond, when the same
 * threads ran throughout (a thread that ended took its time with it); otherwise undefined, and the
 * caller falls back to {@link cpuSeconds}, whose ticks of 10 ms are 0.5 µs per entry over a round
 * of 20,000 writes.
 */
export function threadSecondsBetween(before: ThreadTimes, after: ThreadTimes): number | undefined {
  if (before.size !== after.size) return undefined;
  let ns = 0;
  for (const [task, t] of after) {
    const t0 = before.get(task);
    if (t0 === undefined) return undefined;
    ns += t - t0;
  }
  return ns / 1e9;
}

/** The processes a process has started and that still run (Linux's /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds of a process and of every process under it (`target serve` runs the server in one). */
export function treeCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  return childPids(pid).reduce((n, child) => n + treeCpuSeconds(child), cpuSeconds(pid) ?? 0);
}

/** CPU seconds the child processes, and those they started, have used in all (0 for what cannot be read). */
export const childrenCpuSeconds = (children: readonly ChildProcess[]): number =>
  children.reduce((n, c) => n + treeCpuSeconds(c.pid), 0);

/** The parts of a V8 CPU profile the benches read. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** A profile's call frame as the benches print it: function name and file:line. */
type CallFrame = CpuProfile['nodes'][number]['callFrame'];
const frameName = (f: CallFrame): string =>
  `${f.functionName || '(anonymous)'} ${f.url.slice(f.url.lastIndexOf('/') + 1)}:${f.lineNumber + 1}`;

/** Self time per function (name and file:line), the `count` dearest first, one line each. */
export function topSelfTime(profile: CpuProfile, count: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const where = frameName(byId.get(id)!.callFrame);
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(where, (self.get(where) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([w, t]) =>
        `${(t / 1000).toFixed(0).padStart(6)} ms ${((t / total) * 100).toFixed(1).padStart(5)}%  ${w}`,
    );
}

/** A node of V8's sampling heap profile. */
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** Starts V8's sampling heap profiler, objects that the collector has freed since counted too. */
export async function startHeapSampling(session: Session): Promise<void> {
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
}

/** Stops it: the bytes allocated per function (name and file:line) since the start, most first. */
export async function stopHeapSampling(session: Session): Promise<[where: string, bytes: number][]> {
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: HeapNode };
  };
  const self = new Map<string, number>();
  const walk = (n: HeapNode) => {
    const where = frameName(n.callFrame);
    self.set(where, (self.get(where) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  return [...self].sort((a, b) => b[1] - a[1]);
}
