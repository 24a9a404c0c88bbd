/**
 * Device intents whose MACs were checked over the whole fabric by the derivation (derive.ts):
 * unique in each tenant, and (port, MAC, VLAN) unique per device. The planner checks the same of
 * one device's view (a map of every MAC of each tenant and one of every vport: 125,000 entries per
 * device of the benchmark's fabric, each device checking again what the derivation checked once),
 * which such an intent passes by construction, so it skips those checks for it. A WeakSet rather
 * than a field: the intent stays what it says, and any other intent (a file of one VTEP, a copy
 * made for a device profile, the part of an intent the incremental planner plans) is checked.
 * Intents are never changed once made.
 */
import type { FabricIntent } from './intent.js';

const checked = new WeakSet<FabricIntent>();

/** Records that `intent`'s MACs were checked over the whole fabric (derive.ts only). */
export function markMacsChecked(intent: FabricIntent): void {
  checked.add(intent);
}

/** True when the derivation checked `intent`'s MACs (see above). */
export function macsChecked(intent: FabricIntent): boolean {
  return checked.has(intent);
}
