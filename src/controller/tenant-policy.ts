/**
 * The data plane's policy check (docs/DATAPLANE.md rule 9), for frames the controller delivers
 * itself by packet-out, which bypasses every table: a copy reaches a local vport only if the
 * tenant's rules allow (source ID, destination ID, IP protocol, L4 destination port); the highest
 * priority match wins, no match denies. Frame facts are taken as the data plane takes them
 * (DATAPLANE.md "Parsing limits").
 */
import type { PolicyIntent } from './intent.js';

/** What policy sees of a frame: IP protocol (0 when not IP) and L4 destination port (0 unless parsed). */
export interface FrameFacts {
  ipProtocol: number;
  l4DstPort: number;
}

const PROTOCOLS = { tcp: 6, udp: 17 } as const;

/** The facts of an untagged Ethernet frame, parsed as far as the data plane parses it. */
export function frameFacts(frame: Uint8Array): FrameFacts {
  const none = { ipProtocol: 0, l4DstPort: 0 };
  if (frame.length < 14) return none;
  const type = (frame[12] << 8) | frame[13];
  let protocol: number;
  let l4: number | undefined;
  if (type === 0x0800 && frame.length >= 34 && frame[14] >> 4 === 4) {
    protocol = frame[23];
    const firstFragment = (((frame[20] & 0x1f) << 8) | frame[21]) === 0;
    // Ports only after a 20-byte header of a first fragment.
    if ((frame[14] & 0x0f) === 5 && firstFragment) l4 = 34;
  } else if (type === 0x86dd && frame.length >= 54 && frame[14] >> 4 === 6) {
    protocol = frame[20];
    l4 = 54; // directly after the IPv6 header
  } else return none;
  if ((protocol !== 6 && protocol !== 17) || l4 === undefined || frame.length < l4 + 4)
    return { ipProtocol: protocol, l4DstPort: 0 };
  return { ipProtocol: protocol, l4DstPort: (frame[l4 + 2] << 8) | frame[l4 + 3] };
}

function matches(rule: PolicyIntent, src: number, dst: number, facts: FrameFacts): boolean {
  if (rule.src !== undefined && rule.src !== src) return false;
  if (rule.dst !== undefined && rule.dst !== dst) return false;
  if (rule.protocol !== undefined) {
    const p = typeof rule.protocol === 'number' ? rule.protocol : PROTOCOLS[rule.protocol];
    if (p !== facts.ipProtocol) return false;
  }
  if (rule.ports !== undefined) {
    const [lo, hi] = typeof rule.ports === 'number' ? [rule.ports, rule.ports] : rule.ports;
    if (facts.l4DstPort < lo || facts.l4DstPort > hi) return false;
  }
  return true;
}

/** True when the tenant's policy lets a frame with `facts` from security ID `src` reach `dst`. */
export function policyAllows(
  rules: readonly PolicyIntent[],
  src: number,
  dst: number,
  facts: FrameFacts,
): boolean {
  let best: PolicyIntent | undefined;
  for (const rule of rules)
    if (matches(rule, src, dst, facts) && (!best || rule.priority > best.priority)) best = rule;
  return best?.action === 'allow';
}
