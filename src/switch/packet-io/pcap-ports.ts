/**
 * Capture files per port, like bmv2's `--use-files`: `port<N>_in.pcap` files found in the directory
 * are replayed into port N (all ports merged in timestamp order), and every frame leaving port N is
 * appended to `port<N>_out.pcap` (created empty at start).
 *
 * The directory may be shared: an output path that is a symbolic link, a hard link or not a regular
 * file is refused rather than written through, and an input file that is not a valid pcap is
 * skipped with a warning naming it (the target keeps serving).
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readPcap, writePcap } from '../../packet/pcap.js';
import type { Dataplane } from './ports.js';

const PCAP_FILE_HEADER_BYTES = 24;

export function inputPcapPath(dir: string, port: number): string {
  return join(dir, `port${port}_in.pcap`);
}

export function outputPcapPath(dir: string, port: number): string {
  return join(dir, `port${port}_out.pcap`);
}

/** A pcap output path that cannot be written safely. */
export class PcapPathError extends Error {
  override readonly name = 'PcapPathError';
}

/**
 * Opens `path` for writing from empty without following a symbolic link (O_NOFOLLOW), and refuses
 * anything but a regular file with a single link, before truncating it.
 */
function openOutput(path: string): number {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      0o644,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new PcapPathError(`pcap output ${path} is a symbolic link; refusing to write through it`);
    throw new PcapPathError(`pcap output ${path}: ${(error as Error).message}`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile() || stat.nlink > 1) {
    closeSync(fd);
    throw new PcapPathError(
      `pcap output ${path} is ${stat.isFile() ? 'a file with other hard links' : 'not a regular file'}; refusing to write it`,
    );
  }
  ftruncateSync(fd, 0);
  return fd;
}

export class PcapPorts {
  private readonly detach: () => void;
  /** Open output file per port: written record by record, as bmv2's pcap ports are. */
  private readonly outputs = new Map<number, number>();

  /**
   * Creates the output files of ports `0..ports-1` and starts recording frames leaving them.
   * Throws a {@link PcapPathError} for an output path that is not safe to write.
   */
  constructor(
    private readonly dataplane: Dataplane,
    private readonly dir: string,
    private readonly ports: number,
    private readonly warn: (message: string) => void = (message) => console.warn(message),
  ) {
    const header = writePcap([]);
    try {
      for (let port = 0; port < ports; port++) {
        const fd = openOutput(outputPcapPath(dir, port));
        this.outputs.set(port, fd);
        writeSync(fd, header);
      }
    } catch (error) {
      this.closeOutputs();
      throw error;
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

  /**
   * Injects every frame of the input files, oldest first; returns how many were injected. A file
   * that cannot be read or parsed is skipped with a warning naming it and the reason.
   */
  replay(): number {
    const frames: { port: number; data: Uint8Array; t: number }[] = [];
    for (let port = 0; port < this.ports; port++) {
      const path = inputPcapPath(this.dir, port);
      if (!existsSync(path)) continue;
      try {
        const file = readPcap(new Uint8Array(readFileSync(path)));
        for (const p of file.packets) frames.push({ port, data: p.data, t: p.seconds * 1e9 + p.nanoseconds });
      } catch (error) {
        this.warn(`pcap input ${path} skipped: ${(error as Error).message}`);
      }
    }
    frames.sort((a, b) => a.t - b.t);
    for (const f of frames) this.dataplane.inject(f.port, f.data);
    return frames.length;
  }

  close(): void {
    this.detach();
    this.closeOutputs();
  }

  private closeOutputs(): void {
    for (const fd of this.outputs.values()) closeSync(fd);
    this.outputs.clear();
  }
}
