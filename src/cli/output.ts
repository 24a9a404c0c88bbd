/**
 * How genevectl prints: JSON for programs (--json), plain aligned tables for people that fit a
 * 100-column terminal, colour only on a terminal without NO_COLOR (https://no-color.org), and
 * a quiet exit when the reader of a pipe goes away (e.g. `genevectl table dump t | head`).
 */
import Table from 'cli-table3';
import { createColors } from 'picocolors';

/** True when stdout is a terminal and the user did not ask for no colour. */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Colour functions that are identity functions when colour is off. */
export const colors = createColors(colorEnabled());

/** Width tables must fit: the terminal's, or 100 columns when not a terminal. */
export function outputWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? Math.max(40, process.stdout.columns) : 100;
}

const GAP = 2;
const PLAIN = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' '.repeat(GAP),
};

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour sequences
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/**
 * Column widths that fit `width`: natural widths when they fit, otherwise the widest columns
 * are narrowed (their cells wrap) until the row fits.
 */
export function fitColumns(rows: readonly (readonly string[])[], width: number): number[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(1, ...rows.map((r) => Math.max(0, ...(r[c] ?? '').split('\n').map(visibleLength)))),
  );
  const budget = width - GAP * Math.max(0, columns - 1);
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest] <= 8) break;
    widths[widest]--;
    total--;
  }
  return widths;
}

/** A plain table (no borders, bold headers on a terminal) fitting the output width. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const text = rows.map((r) => r.map((c) => String(c)));
  const widths = fitColumns([head, ...text], outputWidth());
  const table = new Table({
    head: head.map((h) => colors.bold(h)),
    chars: PLAIN,
    colWidths: widths,
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  for (const r of text) table.push(r);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** JSON text of any value: bigints as decimal strings, bytes as hex strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
      if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
      return v;
    },
    2,
  );
}

/** Writes a line to stdout. */
export function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a note for people to stderr (progress, who is primary...), keeping stdout for data. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Exits quietly (status 0) when stdout's reader closed the pipe, as `head` does. */
export function exitQuietlyOnClosedPipe(): void {
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  };
  process.stdout.on('error', onError);
}
