/**
 * The target's ports: every frame entering the device goes through here and gets a packet id;
 * every frame leaving it is handed to the listeners with that id (frames for the CPU port go to the
 * P4Runtime packet-in path instead, as in simple_switch_grpc). Port oper status is kept for the
 * dataplane service.
 */
import type { Device } from '../p4runtime/device/device.js';

/** A frame that left a data port. */
export interface OutputFrame {
  readonly port: number;
  readonly frame: Uint8Array;
  /** Id of the injected packet whose processing produced this frame. */
  readonly packetId: number;
  /** Tag given when that packet was injected (the dataplane service's request id), 0n if none. */
  readonly tag: bigint;
}

export type OutputListener = (output: OutputFrame) => void;

export interface DataplaneOptions {
  readonly device: Device;
  /** Port connected to the controller; 0 disables the CPU port. */
  readonly cpuPort: number;
  /** Receives frames sent to the CPU port. */
  readonly toController: (frame: Uint8Array) => void;
}

/** Counters of one port, like bmv2's dataplane service keeps. */
export interface PortStats {
  inPackets: number;
  inOctets: number;
  outPackets: number;
  outOctets: number;
}

/** Tags remembered for late outputs of a packet (clones, recirculations processed later). */
const MAX_TAGS = 65536;

export class Dataplane {
  private nextPacketId = 1;
  /** Packet id to injection tag; bounded, oldest forgotten first. */
  private readonly tags = new Map<number, bigint>();
  private readonly listeners = new Set<OutputListener>();
  private readonly operStatus = new Map<number, boolean>();
  private readonly stats = new Map<number, PortStats>();
  /** Frames whose processing raised inside the device (they are dropped, the target keeps running). */
  droppedOnError = 0;

  constructor(private readonly options: DataplaneOptions) {}

  /** Adds a listener for frames leaving data ports; returns a function removing it. */
  onOutput(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Injects a frame received on `port`; returns its packet id. Outputs go to the listeners and
   * carry `tag` (bmv2's dataplane service reflects its request id this way).
   */
  inject(port: number, frame: Uint8Array, tag = 0n): number {
    const packetId = this.nextPacketId++;
    if (tag !== 0n) {
      this.tags.set(packetId, tag);
      if (this.tags.size > MAX_TAGS) this.tags.delete(this.tags.keys().next().value as number);
    }
    const s = this.portStats(port);
    s.inPackets++;
    s.inOctets += frame.length;
    try {
      this.options.device.inject(port, frame, packetId);
    } catch {
      this.droppedOnError++;
    }
    return packetId;
  }

  /**
   * Injects a frame and returns the frames its processing emitted on data ports before this call
   * returned (the embedded device processes synchronously, so that is all of them).
   */
  process(port: number, frame: Uint8Array): OutputFrame[] {
    const id = this.nextPacketId;
    const outputs: OutputFrame[] = [];
    const off = this.onOutput((o) => {
      if (o.packetId === id) outputs.push(o);
    });
    try {
      this.inject(port, frame);
    } finally {
      off();
    }
    return outputs;
  }

  /** Records a port's oper status (bmv2's SetPortOperStatus); ports are up unless set down. */
  setPortOperStatus(port: number, up: boolean): void {
    this.operStatus.set(port, up);
  }

  isPortUp(port: number): boolean {
    return this.operStatus.get(port) ?? true;
  }

  portStats(port: number): PortStats {
    let s = this.stats.get(port);
    if (!s) {
      s = { inPackets: 0, inOctets: 0, outPackets: 0, outOctets: 0 };
      this.stats.set(port, s);
    }
    return s;
  }

  /** A frame the device sent out of `port` (wired as the device listener's `transmit`). */
  deliver(port: number, frame: Uint8Array, packetId: number): void {
    if (this.options.cpuPort !== 0 && port === this.options.cpuPort) {
      this.options.toController(frame);
      return;
    }
    const s = this.portStats(port);
    s.outPackets++;
    s.outOctets += frame.length;
    const output = { port, frame, packetId, tag: this.tags.get(packetId) ?? 0n };
    for (const listener of this.listeners) {
      try {
        listener(output);
      } catch {
        // A failing consumer (e.g. a closed stream) must not stop the others.
      }
    }
  }
}
