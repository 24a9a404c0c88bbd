/**
 * Idle timeouts as bmv2 and PI produce them: bmv2's ageing monitor sweeps tables periodically
 * (1 s by default) and reports entries idle for at least their TTL, skipping those it reported in
 * the previous sweep; PI buffers the reports for 100 ms and sends one IdleTimeoutNotification to
 * the primary controller.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { longField } from './pipeline.js';
import type { TableManager } from './tables.js';

/** PI's buffering delay before an IdleTimeoutNotification goes out. */
const MAX_BUFFERING_MS = 100;

export class IdleTimeoutMonitor {
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private bufferTimer: NodeJS.Timeout | undefined;
  private buffered: p4.v1.ITableEntry[] = [];
  /** Per table id, handles reported in the previous sweep. */
  private previous = new Map<number, Set<number>>();

  constructor(
    private readonly tables: TableManager,
    private readonly send: (message: p4.v1.IStreamMessageResponse) => void,
    sweepIntervalMs: number,
  ) {
    // No sweeping for programs without tables that age.
    if (!tables.allTables().some((t) => t.model.supportsIdleTimeout)) return;
    this.sweepTimer = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweepTimer.unref();
  }

  close(): void {
    clearInterval(this.sweepTimer);
    clearTimeout(this.bufferTimer);
  }

  /** One ageing sweep (public so tests and tools can force one). */
  sweep(): void {
    const aged = new Map<number, { handle: number; entry: () => p4.v1.ITableEntry }[]>();
    for (const { state, handle, data } of this.tables.agingEntries()) {
      const ttlMs = Number(data.idleTimeoutNs / 1_000_000n);
      if (ttlMs === 0) continue;
      let idleMs: number;
      try {
        idleMs = this.tables.idleMs(state, handle);
      } catch {
        continue;
      }
      if (idleMs < ttlMs) continue;
      const list = aged.get(state.model.id) ?? [];
      list.push({ handle, entry: () => this.tables.notificationEntry(state, handle, data) });
      aged.set(state.model.id, list);
    }
    const next = new Map<number, Set<number>>();
    for (const [tableId, entries] of aged) {
      const before = this.previous.get(tableId) ?? new Set<number>();
      const fresh = entries.filter((e) => !before.has(e.handle));
      if (fresh.length === 0) continue;
      next.set(tableId, new Set(fresh.map((e) => e.handle)));
      for (const e of fresh) {
        try {
          this.buffer(e.entry());
        } catch {
          // The entry disappeared between the sweep and the report.
        }
      }
    }
    this.previous = next;
  }

  private buffer(entry: p4.v1.ITableEntry): void {
    this.buffered.push(entry);
    if (this.bufferTimer) return;
    this.bufferTimer = setTimeout(() => this.flush(), MAX_BUFFERING_MS);
    this.bufferTimer.unref();
  }

  private flush(): void {
    this.bufferTimer = undefined;
    if (this.buffered.length === 0) return;
    const tableEntry = this.buffered;
    this.buffered = [];
    this.send({ idleTimeoutNotification: { tableEntry, timestamp: longField(process.hrtime.bigint()) } });
  }
}
