// The Tofino compiler of the toolchain (bf-p4c 1.2.5.16) drops every `select` on packet data: the
// smallest program that shows it has one select with three cases, and the compiled parser keeps
// only the first (docs/TOFINO.md, "Known compiler defect"). This file proves it on both targets
// with that program, read from the compiler's assembly (scripts/lib/tofino-parser.ts). When a
// compiler keeps the selects, these tests fail: then the VTEP's build can be deployed, and the
// warning in docs/TOFINO.md and test/tofino/compile.test.ts's expected failure go.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBfP4c } from '../../scripts/lib/tofino.js';
import { type CompiledParser, readCompiledParser } from '../../scripts/lib/tofino-parser.js';

const bf = findBfP4c();
const work = mkdtempSync(join(tmpdir(), 'tofino-select-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Ethernet, then IPv4 or IPv6 by EtherType: the cases in the order given. */
function twoWayProgram(arch: 'tna' | 't2na', cases: readonly ['ipv4' | 'ipv6', number][]): string {
  return `#include <core.p4>
#include <${arch}.p4>
header eth_h { bit<48> dst; bit<48> src; bit<16> ether_type; }
header ipv4_h { bit<64> a; bit<8> ttl; bit<8> protocol; bit<16> checksum; bit<64> addresses; }
header ipv6_h { bit<48> a; bit<8> next_header; bit<8> hop_limit; bit<256> addresses; }
struct headers_t { eth_h eth; ipv4_h ipv4; ipv6_h ipv6; }
struct meta_t { }
parser IngressParser(packet_in pkt, out headers_t hdr, out meta_t meta,
                     out ingress_intrinsic_metadata_t ig_intr_md) {
    state start {
        pkt.extract(ig_intr_md);
        pkt.advance(PORT_METADATA_SIZE);
        pkt.extract(hdr.eth);
        transition select(hdr.eth.ether_type) {
${cases.map(([to, type]) => `            0x${type.toString(16).padStart(4, '0')}: parse_${to};`).join('\n')}
            default: accept;
        }
    }
    state parse_ipv4 { pkt.extract(hdr.ipv4); transition accept; }
    state parse_ipv6 { pkt.extract(hdr.ipv6); transition accept; }
}
control Ingress(inout headers_t hdr, inout meta_t meta, in ingress_intrinsic_metadata_t ig_intr_md,
                in ingress_intrinsic_metadata_from_parser_t ig_prsr_md,
                inout ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md,
                inout ingress_intrinsic_metadata_for_tm_t ig_tm_md) {
    apply {
        ig_tm_md.ucast_egress_port = ig_intr_md.ingress_port;
        if (hdr.ipv4.isValid()) { hdr.ipv4.ttl = hdr.ipv4.ttl - 1; }
        if (hdr.ipv6.isValid()) { hdr.ipv6.hop_limit = hdr.ipv6.hop_limit - 1; }
    }
}
control IngressDeparser(packet_out pkt, inout headers_t hdr, in meta_t meta,
                        in ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md) {
    apply { pkt.emit(hdr); }
}
parser EgressParser(packet_in pkt, out headers_t hdr, out meta_t meta,
                    out egress_intrinsic_metadata_t eg_intr_md) {
    state start { pkt.extract(eg_intr_md); transition accept; }
}
control Egress(inout headers_t hdr, inout meta_t meta, in egress_intrinsic_metadata_t eg_intr_md,
               in egress_intrinsic_metadata_from_parser_t eg_prsr_md,
               inout egress_intrinsic_metadata_for_deparser_t eg_dprsr_md,
               inout egress_intrinsic_metadata_for_output_port_t eg_oport_md) {
    apply { }
}
control EgressDeparser(packet_out pkt, inout headers_t hdr, in meta_t meta,
                       in egress_intrinsic_metadata_for_deparser_t eg_dprsr_md) {
    apply { pkt.emit(hdr); }
}
Pipeline(IngressParser(), Ingress(), IngressDeparser(), EgressParser(), Egress(), EgressDeparser()) pipe;
Switch(pipe) main;
`;
}

/** Compiles a program and reads its compiled ingress parser. */
function compiledIngressParser(name: string, target: 'tofino' | 'tofino2', source: string): CompiledParser {
  if (!bf) throw new Error('bf-p4c not found');
  const dir = join(work, name);
  const file = `${dir}.p4`;
  writeFileSync(file, source);
  const args = ['--target', target, '--arch', target === 'tofino' ? 'tna' : 't2na', '-g', '-o', dir, file];
  // On Tofino 2 this program also makes the assembler fail ("No length for clot 0"); without CLOTs
  // it assembles, and the parser is the same as on Tofino 1.
  if (target === 'tofino2') args.push('-Xp4c=--no-clot');
  const run = spawnSync(bf.command, args, { encoding: 'utf8' });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  const bfa = readFileSync(join(dir, 'pipe', `${name}.bfa`), 'utf8');
  return readCompiledParser(bfa, 'ingress');
}

const IPV4 = 0x0800;
const IPV6 = 0x86dd;

describe.skipIf(!bf).each([
  { target: 'tofino', arch: 'tna' },
  { target: 'tofino2', arch: 't2na' },
] as const)('bf-p4c --target $target: a select on EtherType (known compiler defect)', ({ target, arch }) => {
  it('keeps only the first case: IPv4 first, IPv6 is never parsed', () => {
    const parser = compiledIngressParser(
      `ipv4_first_${arch}`,
      target,
      twoWayProgram(arch, [
        ['ipv4', IPV4],
        ['ipv6', IPV6],
      ]),
    );
    // No state matches on anything: every row is a catch-all, so the first always wins.
    expect(parser.states.filter((s) => s.match !== undefined)).toEqual([]);
    expect(parser.branching).toEqual([]);
    expect(parser.headers).toEqual(['eth', 'ipv4']);
    expect(parser.states.map((s) => s.name).some((n) => n.startsWith('parse_ipv6'))).toBe(false);
  }, 120_000);

  it('keeps only the first case: IPv6 first, IPv4 is never parsed', () => {
    const parser = compiledIngressParser(
      `ipv6_first_${arch}`,
      target,
      twoWayProgram(arch, [
        ['ipv6', IPV6],
        ['ipv4', IPV4],
      ]),
    );
    expect(parser.branching).toEqual([]);
    expect(parser.headers).toEqual(['eth', 'ipv6']);
  }, 120_000);
});
