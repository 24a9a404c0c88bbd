/**
 * Run-time operations on headers, header unions and stacks, mirroring bmv2's Header / HeaderUnion /
 * StackP4_16 classes (bmv2 builds with P4_16 stack semantics by default):
 * - making a union member valid invalidates the other members;
 * - push_front(n) shifts elements up by n and invalidates the first n; pop_front(n) shifts down and
 *   invalidates the last n; both adjust the stack's `next` index;
 * - for header *union* stacks bmv2's HeaderUnion::mark_invalid is a no-op, so pushed/popped union slots keep
 *   the contents swapped into them. This quirk is reproduced.
 */
import type { HeaderInfo, Layout } from './layout.js';
import type { PacketState } from './state.js';

export class HeaderOps {
  private readonly headers: readonly HeaderInfo[];

  constructor(private readonly layout: Layout) {
    this.headers = layout.headers;
  }

  isValid(s: PacketState, h: number): boolean {
    return s.valid[h] === 1 || this.headers[h].metadata;
  }

  /** bmv2 Header::mark_valid. */
  markValid(s: PacketState, h: number): void {
    s.valid[h] = 1;
    const u = this.headers[h].union;
    if (u) {
      for (const m of this.layout.unions[u.union].members) if (m !== h) s.valid[m] = 0;
    }
  }

  /** bmv2 Header::mark_invalid. */
  markInvalid(s: PacketState, h: number): void {
    s.valid[h] = 0;
  }

  /** bmv2 Header::reset: every field (including the VL value) set to 0; the VL width is kept. */
  reset(s: PacketState, h: number): void {
    const info = this.headers[h];
    s.num.fill(0, info.numBase, info.numBase + info.type.numCount);
    s.big.fill(0n, info.bigBase, info.bigBase + info.type.bigCount);
  }

  /** Size of the header on the wire in bytes (fixed part plus current VL width). */
  nbytes(s: PacketState, h: number): number {
    const info = this.headers[h];
    return (info.type.fixedBits + (info.type.vlField >= 0 ? s.vlBits[h] : 0)) >> 3;
  }

  /** Copies field values (and VL width) from `src` to `dst` without touching validity. */
  copyFields(s: PacketState, dst: number, src: number): void {
    const d = this.headers[dst];
    const r = this.headers[src];
    s.num.copyWithin(d.numBase, r.numBase, r.numBase + r.type.numCount);
    for (let i = 0; i < r.type.bigCount; i++) s.big[d.bigBase + i] = s.big[r.bigBase + i];
    s.vlBits[dst] = s.vlBits[src];
  }

  /** bmv2 assign_header: an invalid source invalidates the destination, otherwise copy and validate. */
  assignHeader(s: PacketState, dst: number, src: number): void {
    if (!this.isValid(s, src)) {
      this.markInvalid(s, dst);
      return;
    }
    this.markValid(s, dst);
    this.copyFields(s, dst, src);
  }

  /** bmv2 Header::swap_values: swaps validity flags, field values and VL widths (no union bookkeeping). */
  swap(s: PacketState, a: number, b: number): void {
    const ha = this.headers[a];
    const hb = this.headers[b];
    const n = ha.type.numCount;
    for (let i = 0; i < n; i++) {
      const t = s.num[ha.numBase + i];
      s.num[ha.numBase + i] = s.num[hb.numBase + i];
      s.num[hb.numBase + i] = t;
    }
    for (let i = 0; i < ha.type.bigCount; i++) {
      const t = s.big[ha.bigBase + i];
      s.big[ha.bigBase + i] = s.big[hb.bigBase + i];
      s.big[hb.bigBase + i] = t;
    }
    const v = s.valid[a];
    s.valid[a] = s.valid[b];
    s.valid[b] = v;
    const w = s.vlBits[a];
    s.vlBits[a] = s.vlBits[b];
    s.vlBits[b] = w;
  }

  private swapUnions(s: PacketState, a: number, b: number): void {
    const ma = this.layout.unions[a].members;
    const mb = this.layout.unions[b].members;
    for (let i = 0; i < ma.length; i++) this.swap(s, ma[i], mb[i]);
  }

  /** push_front on a header stack (P4_16 semantics). */
  pushFront(s: PacketState, stack: number, count: number): void {
    if (count <= 0) return;
    const el = this.layout.stacks[stack].elements;
    const size = el.length;
    s.stackNext[stack] = Math.min(size, s.stackNext[stack] + count);
    for (let i = size - 1; i > count - 1; i--) this.swap(s, el[i], el[i - count]);
    for (let i = 0; i < Math.min(size, count); i++) this.markInvalid(s, el[i]);
  }

  /** pop_front on a header stack (P4_16 semantics). */
  popFront(s: PacketState, stack: number, count: number): void {
    if (count <= 0) return;
    const el = this.layout.stacks[stack].elements;
    const size = el.length;
    s.stackNext[stack] -= Math.min(s.stackNext[stack], count);
    let i = 0;
    if (count < size) for (; i < size - count; i++) this.swap(s, el[i], el[i + count]);
    for (; i < size; i++) this.markInvalid(s, el[i]);
  }

  /** push_front on a header union stack (HeaderUnion::mark_invalid is a no-op in bmv2). */
  pushFrontUnions(s: PacketState, stack: number, count: number): void {
    if (count <= 0) return;
    const el = this.layout.unionStacks[stack].elements;
    const size = el.length;
    s.unionStackNext[stack] = Math.min(size, s.unionStackNext[stack] + count);
    for (let i = size - 1; i > count - 1; i--) this.swapUnions(s, el[i], el[i - count]);
  }

  /** pop_front on a header union stack. */
  popFrontUnions(s: PacketState, stack: number, count: number): void {
    if (count <= 0) return;
    const el = this.layout.unionStacks[stack].elements;
    const size = el.length;
    s.unionStackNext[stack] -= Math.min(s.unionStackNext[stack], count);
    if (count < size) for (let i = 0; i < size - count; i++) this.swapUnions(s, el[i], el[i + count]);
  }

  /** Resets a PHV to the state of a freshly received packet: headers invalid, everything zero. */
  clearAll(s: PacketState): void {
    s.num.fill(0);
    s.big.fill(0n);
    s.valid.fill(0);
    s.vlBits.fill(0);
    s.stackNext.fill(0);
    s.unionStackNext.fill(0);
  }

  /** bmv2 PHV::reset_metadata: every field of every metadata header set to 0. */
  resetMetadata(s: PacketState): void {
    s.num.fill(0, 0, this.layout.metaNumEnd);
    s.big.fill(0n, 0, this.layout.metaBigEnd);
  }
}
