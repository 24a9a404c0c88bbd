/**
 * Records every frame a scenario sends and receives. When VALIDATE_REPORT_DIR is set
 * (npm run validate), each test file appends its records to scenarios.jsonl there and writes a
 * pcap per scenario with the frames in and out, for Wireshark and for the tshark cross-check.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePcap } from '../../../src/packet/index.js';

export interface RecordedFrame {
  port: number;
  bytes: Uint8Array;
}

export interface ExchangeRecord {
  target: string;
  scenario: string;
  label: string;
  sent: RecordedFrame;
  received: RecordedFrame[];
}

const records: ExchangeRecord[] = [];

export function recordExchange(
  target: string,
  scenario: string,
  label: string,
  sent: RecordedFrame,
  received: readonly RecordedFrame[],
): void {
  records.push({ target, scenario, label, sent, received: [...received] });
}

/** Records so far (tests use them for pcap cross-checks). */
export function recordedExchanges(scenario?: string): ExchangeRecord[] {
  return scenario === undefined ? [...records] : records.filter((r) => r.scenario === scenario);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
}

/** Writes the pcap of one scenario's frames: each frame sent, then what it caused. */
export function scenarioPcap(scenario: string): Uint8Array {
  const frames = recordedExchanges(scenario).flatMap((r) => [
    r.sent.bytes,
    ...r.received.map((f) => f.bytes),
  ]);
  return writePcap(frames.map((data, i) => ({ data, seconds: i })));
}

/** Appends this file's records to the report directory, if one is set. */
export function flushReport(): void {
  const dir = process.env.VALIDATE_REPORT_DIR;
  if (!dir || records.length === 0) return;
  mkdirSync(join(dir, 'pcap'), { recursive: true });
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  for (const r of records) {
    appendFileSync(
      join(dir, 'scenarios.jsonl'),
      `${JSON.stringify({
        target: r.target,
        scenario: r.scenario,
        label: r.label,
        sent: { port: r.sent.port, bytes: hex(r.sent.bytes) },
        received: r.received.map((f) => ({ port: f.port, bytes: hex(f.bytes) })),
      })}\n`,
    );
  }
  for (const scenario of new Set(records.map((r) => r.scenario))) {
    writeFileSync(join(dir, 'pcap', `${safeName(scenario)}.pcap`), scenarioPcap(scenario));
  }
  records.length = 0;
}
