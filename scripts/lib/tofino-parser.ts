// What a compiled Tofino parser does, read from the assembly bf-p4c writes (pipe/<program>.bfa):
// which states a packet can reach and which headers they extract. The parser TCAM tries a state's
// rows in order and takes the first that matches; a row whose value is all don't-care bits ('*',
// '0x****', '0b**') matches every packet, and a state without a `match:` key matches nothing, so
// its first row always wins. A compiled parser "branches" where a state has more than one row
// that a packet can take. This is how test/tofino/ checks that the compiler kept the P4 selects
// (docs/TOFINO.md, "Known compiler defect").

/** One TCAM row of a compiled parser state. */
export interface ParserRow {
  /** The row's match value as written in the assembly ('*', '0x0800', '0b**', ...). */
  value: string;
  /** The next state ('end' leaves the parser). */
  next: string;
  /** Headers the row extracts (hdr paths, e.g. `vtep.ethernet`). */
  headers: string[];
}

export interface ParserState {
  name: string;
  /** What the rows match on (`[ half ]`, `[ ctr_neg, ctr_zero ]`); undefined: nothing. */
  match: string | undefined;
  rows: ParserRow[];
}

/** One gress's compiled parser, and what a packet can reach through it. */
export interface CompiledParser {
  start: string;
  states: ParserState[];
  /** States a packet can reach from `start`. */
  reachable: string[];
  /** Reachable states where more than one row can be taken. */
  branching: string[];
  /** Headers some reachable row extracts, sorted. */
  headers: string[];
}

const ALL_DONT_CARE = /^(\*|0x\**|0b\**|0o\**)$/;

/** The header of a field path written in a bfa comment (`hdr.eth.dst[47:32].32-47` -> `eth`). */
function headerOf(path: string): string {
  const parts = path
    .split('.')
    .filter((p) => !/^\d+-\d+$/.test(p))
    .map((p) => p.replace(/\[[^\]]*\]/g, ''));
  return parts.length > 1 ? parts.slice(0, -1).join('.') : parts[0];
}

/** The `parser <gress>:` section of a .bfa file, parsed. */
export function readCompiledParser(bfa: string, gress: 'ingress' | 'egress'): CompiledParser {
  const lines = bfa.split('\n');
  const begin = lines.indexOf(`parser ${gress}:`);
  if (begin < 0) throw new Error(`no 'parser ${gress}:' section in the assembly`);
  let start = '';
  const states: ParserState[] = [];
  let state: ParserState | undefined;
  let row: ParserRow | undefined;
  const hdr = new RegExp(`${gress}::hdr\\.(\\S+)`, 'g');
  for (let i = begin + 1; i < lines.length && !/^\S/.test(lines[i]); i++) {
    const line = lines[i];
    const startMatch = /^ {2}start: \[?\s*([^\s,\]]+)/.exec(line);
    if (startMatch) start = startMatch[1];
    const stateMatch = /^ {4}(\S.*):$/.exec(line);
    if (stateMatch) {
      state = { name: stateMatch[1], match: undefined, rows: [] };
      states.push(state);
      row = undefined;
      continue;
    }
    if (!state) continue;
    const key = /^ {6}match: (.*)$/.exec(line);
    if (key) {
      state.match = key[1].trim();
      continue;
    }
    const rowMatch = /^ {6}(\S[^:]*):$/.exec(line);
    if (rowMatch) {
      row = { value: rowMatch[1], next: 'end', headers: [] };
      state.rows.push(row);
      continue;
    }
    if (!row) continue;
    const next = /^ {8}next: (\S+)/.exec(line);
    if (next) row.next = next[1];
    for (const m of line.matchAll(hdr)) {
      const h = headerOf(m[1]);
      if (!row.headers.includes(h)) row.headers.push(h);
    }
  }
  if (!start) throw new Error(`'parser ${gress}:' has no start state`);

  const byName = new Map(states.map((s) => [s.name, s]));
  /** Rows a packet can take: up to the first that matches everything (all of them if keyed). */
  const takeable = (s: ParserState): ParserRow[] => {
    if (s.match === undefined) return s.rows.slice(0, 1);
    const i = s.rows.findIndex((r) => ALL_DONT_CARE.test(r.value));
    return i < 0 ? s.rows : s.rows.slice(0, i + 1);
  };
  const reachable = new Set<string>();
  const headers = new Set<string>();
  const branching: string[] = [];
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const s = byName.get(name);
    if (!s || reachable.has(name)) continue;
    reachable.add(name);
    const rows = takeable(s);
    if (rows.length > 1) branching.push(name);
    for (const r of rows) {
      for (const h of r.headers) headers.add(h);
      if (r.next !== 'end') queue.push(r.next);
    }
  }
  return { start, states, reachable: [...reachable], branching, headers: [...headers].sort() };
}

/**
 * Headers the VTEP's compiled parsers must be able to extract (p4/tofino/vtep.p4): ingress takes
 * packet-outs and frames (Ethernet, IPv4/IPv6, UDP, Geneve, the tenant frame); egress the bridged
 * header and the tenant frame after it.
 */
export const VTEP_PARSED_HEADERS: Readonly<Record<'ingress' | 'egress', readonly string[]>> = {
  ingress: [
    'vtep.packet_out',
    'vtep.ethernet',
    'vtep.ipv4',
    'vtep.ipv6',
    'vtep.udp',
    'vtep.geneve',
    'vtep.inner_ethernet',
  ],
  egress: ['bridged', 'vtep.ethernet'],
};

/** The headers of `required` that no reachable state of a compiled parser extracts. */
export function missingHeaders(
  parsed: { headers: readonly string[] },
  required: readonly string[],
): string[] {
  return required.filter((h) => !parsed.headers.includes(h));
}
