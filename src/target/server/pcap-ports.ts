/**
 * Capture files per port, like bmv2's `--use-files`: `port<N>_in.pcap` files found in the directory
 * are replayed into port N (all ports merged in timestamp order), and every frame leaving port N is
 * appended to `port<N>_out.pcap` (created empty at start).
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readPcap, writePcap } from '../../packet/pcap.js';
import type { Dataplane } from './dataplane.js';

const PCAP_FILE_HEADER_BYTES = 24;

export function inputPcapPath(dir: string, port: number): string {
  return join(dir, `port${port}_in.pcap`);
}

export function outputPcapPath(dir: string, port: number): string {
  return join(dir, `port${port}_out.pcap`);
}

export class PcapPorts {
  private readonly detach: () => void;
  /** Open output file per port: written record by record, as bmv2's pcap ports are. */
  private readonly outputs = new Map<number, number>();

  /** Creates the output files of ports `0..ports-1` and starts recording frames leaving them. */
  constructor(
    private readonly dataplane: Dataplane,
    private readonly dir: string,
    private readonly ports: number,
  ) {
    const header = writePcap([]);
    for (let port = 0; port < ports; port++) {
      const fd = openSync(outputPcapPath(dir, port), 'w');
      writeSync(fd, header);
      this.outputs.set(port, fd);
    }
    this.detach = dataplane.onOutput((o) => {
      const fd = this.outputs.get(o.port);
      if (fd === undefined) return;
      const now = performance.timeOrigin + performance.now();
      const record = writePcap([
        {
          data: o.frame,
          seconds: Math.floor(now / 1000),
          nanoseconds: Math.floor((now % 1000) * 1000) * 1000,
        },
      ]);
      writeSync(fd, record, PCAP_FILE_HEADER_BYTES);
    });
  }

  /** Injects every frame of the input files, oldest first; returns how many were injected. */
  replay(): number {
    const frames: { port: number; data: Uint8Array; t: number }[] = [];
    for (let port = 0; port < this.ports; port++) {
      const path = inputPcapPath(this.dir, port);
      if (!existsSync(path)) continue;
      const file = readPcap(new Uint8Array(readFileSync(path)));
      for (const p of file.packets) frames.push({ port, data: p.data, t: p.seconds * 1e9 + p.nanoseconds });
    }
    frames.sort((a, b) => a.t - b.t);
    for (const f of frames) this.dataplane.inject(f.port, f.data);
    return frames.length;
  }

  close(): void {
    this.detach();
    for (const fd of this.outputs.values()) closeSync(fd);
    this.outputs.clear();
  }
}
