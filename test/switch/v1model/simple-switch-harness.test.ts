// The bmv2 differential harness decides when to stop simple_switch_grpc from two counts: its debug
// log (what each packet became) and the records in its pcap files (what was written). These tests
// check both counts without bmv2, on logs and files built here.
import { describe, expect, it } from 'vitest';
import { writePcap } from '../../../src/packet/pcap.js';
import { completePcapRecords, pcapsBehindLog, SwitchLogAccount } from '../helpers/simple-switch.js';

/** One line as simple_switch prints it at log level debug for packet `id`, copy `copy`. */
function line(id: number, copy: number, event: string): string {
  return `[17:00:00.000] [bmv2] [D] [thread 7] [${id}.${copy}] [cxt 0] ${event}\n`;
}

const frame = (length: number, fill: number) => new Uint8Array(length).fill(fill);

describe('completePcapRecords', () => {
  const frames = [frame(60, 1), frame(1514, 2), frame(0, 3), frame(9000, 4)];

  it.each(['little', 'big'] as const)(
    'counts only whole records at every length of a %s-endian file',
    (byteOrder) => {
      const file = writePcap(
        frames.map((data) => ({ data })),
        { byteOrder },
      );
      // Where each record ends: a prefix holds the records that end within it.
      const ends: number[] = [];
      let o = 24;
      for (const f of frames) {
        o += 16 + f.length;
        ends.push(o);
      }
      expect(o).toBe(file.length);
      for (let length = 0; length <= file.length; length++) {
        const whole = ends.filter((end) => end <= length).length;
        expect(completePcapRecords(file.subarray(0, length)), `first ${length} bytes`).toBe(whole);
      }
    },
  );

  it('refuses bytes that are not a pcap file', () => {
    expect(() => completePcapRecords(new Uint8Array(24).fill(0x41))).toThrow(
      /not a pcap file: magic 0x41414141/,
    );
  });
});

describe('SwitchLogAccount', () => {
  // Packet 0 is forwarded to port 4; packet 1 is multicast to ports 2 and 3; packet 2 is dropped in
  // ingress; packet 3 is cloned to port 5 and forwarded to port 4.
  const log = [
    line(0, 0, 'Processing packet received on port 0'),
    line(0, 0, 'Egress port is 4'),
    line(0, 0, 'Transmitting packet of size 60 out of port 4'),
    line(1, 0, 'Processing packet received on port 1'),
    line(1, 0, 'Multicast requested for packet'),
    line(1, 1, 'Replicating packet on port 2'),
    line(1, 2, 'Replicating packet on port 3'),
    line(1, 1, 'Transmitting packet of size 60 out of port 2'),
    line(1, 2, 'Transmitting packet of size 60 out of port 3'),
    line(2, 0, 'Processing packet received on port 0'),
    line(2, 0, 'Dropping packet at the end of ingress'),
    line(3, 0, 'Processing packet received on port 0'),
    line(3, 1, 'Cloning packet to egress port 5'),
    line(3, 0, 'Transmitting packet of size 60 out of port 4'),
    line(3, 1, 'Transmitting packet of size 60 out of port 5'),
  ].join('');

  it('accounts for every copy, whatever the chunks the log arrives in', () => {
    for (const size of [1, 7, 64, log.length]) {
      const account = new SwitchLogAccount();
      for (let i = 0; i < log.length; i += size) account.add(log.slice(i, i + size));
      expect(account.arrived, `chunks of ${size}`).toBe(4);
      expect(account.open).toBe(0);
      expect(account.transmitted).toBe(5);
      expect([...account.transmittedTo].sort(([a], [b]) => a - b)).toEqual([
        [2, 1],
        [3, 1],
        [4, 2],
        [5, 1],
      ]);
    }
  });

  it('keeps a copy open until its transmission is logged, and a line until it is complete', () => {
    const account = new SwitchLogAccount();
    account.add(line(0, 0, 'Processing packet received on port 0'));
    account.add(line(0, 0, 'Transmitting packet of size 60 out of port 4').slice(0, -1));
    expect(account.open).toBe(1);
    expect(account.transmitted).toBe(0);
    account.add('\n');
    expect(account.open).toBe(0);
    expect(account.transmittedTo.get(4)).toBe(1);
  });
});

describe('pcapsBehindLog', () => {
  // The CI failure: the log said port 4 transmitted a frame while its pcap file held none yet,
  // because simple_switch logs a transmission before its pcap writer writes the frame.
  it('names each port whose pcap holds fewer whole frames than the log transmitted', () => {
    const account = new SwitchLogAccount();
    account.add(line(0, 0, 'Processing packet received on port 0'));
    account.add(line(0, 0, 'Transmitting packet of size 60 out of port 4'));
    const written = writePcap([{ data: frame(60, 9) }]);
    const files = new Map<number, Uint8Array>([
      [0, new Uint8Array(0)],
      [4, new Uint8Array(0)],
    ]);
    const behind = () => pcapsBehindLog(account, [0, 4], (port) => completePcapRecords(files.get(port)!));
    expect(behind()).toEqual([{ port: 4, logged: 1, written: 0 }]);
    // Header and part of the record: still behind.
    files.set(4, written.subarray(0, written.length - 1));
    expect(behind()).toEqual([{ port: 4, logged: 1, written: 0 }]);
    files.set(4, written);
    expect(behind()).toEqual([]);
  });

  it('ignores transmissions to ports without a pcap file (simple_switch drops them)', () => {
    const account = new SwitchLogAccount();
    account.add(line(0, 0, 'Processing packet received on port 0'));
    account.add(line(0, 0, 'Transmitting packet of size 60 out of port 9'));
    expect(pcapsBehindLog(account, [0, 4], () => 0)).toEqual([]);
  });
});
