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
 * are narrowed (their cells wrap between words) until the row fits. A column never gets
 * narrower than its longest word, so names are never cut: such a table may stay wider.
 */
export function fitColumns(rows: readonly (readonly string[])[], width: number): number[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const cellLines = (c: number) => rows.flatMap((r) => (r[c] ?? '').split('\n'));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(1, ...cellLines(c).map(visibleLength)));
  const floors = Array.from({ length: columns }, (_, c) =>
    Math.max(1, ...cellLines(c).flatMap((line) => line.split(' ').map(visibleLength))),
  );
  const budget = width - GAP * Math.max(0, columns - 1);
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = -1;
    for (let c = 0; c < columns; c++)
      if (widths[c] > floors[c] && (widest < 0 || widths[c] > widths[widest])) widest = c;
    if (widest < 0) break;
    widths[widest]--;
    total--;
  }
  return widths;
}

/**
 * A plain table (no borders, bold headers on a terminal) fitting the output width, or with
 * the given column widths.
 */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  colWidths?: readonly number[],
): string {
  const text = rows.map((r) => r.map((c) => String(c)));
  const widths = colWidths ? [...colWidths] : fitColumns([head, ...text], outputWidth());
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

/**
 * The subset of cli-table3's Table that commands use, printing through {@link renderTable}: a
 * drop-in replacement (`import { PlainTable as Table }`) that never colours a pipe.
 */
export class PlainTable {
  private readonly head: string[];
  private readonly rows: string[][] = [];
  private readonly widths: number[] | undefined;
  constructor(options: { head: readonly string[]; colWidths?: readonly number[]; wordWrap?: boolean }) {
    this.head = [...options.head];
    // cli-table3 widths include one space of padding on each side.
    this.widths = options.colWidths?.map((w) => Math.max(1, w - 2));
  }
  push(...rows: readonly (string | number)[][]): number {
    for (const r of rows) this.rows.push(r.map((c) => String(c)));
    return this.rows.length;
  }
  get length(): number {
    return this.rows.length;
  }
  toString(): string {
    return renderTable(this.head, this.rows, this.widths);
  }
}
