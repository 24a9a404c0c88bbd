/**
 * Checks that a P4Info describes the device config it is pushed with. PI maps P4Info objects to
 * bmv2 objects by name at each operation; the server does the same mapping but checks it once, when
 * the pipeline is set, so a mismatched pair is refused up front with the object named.
 */
import type { DeviceMatchKind, DeviceProgramInfo } from '../device/device.js';
import type { MatchType, P4InfoModel } from './p4info-model.js';

/** The P4Info and the device config do not describe the same program. */
export class BindingError extends Error {
  override readonly name = 'BindingError';
}

const COMPATIBLE_KINDS: Record<MatchType, readonly DeviceMatchKind[]> = {
  exact: ['exact', 'valid'],
  lpm: ['lpm'],
  ternary: ['ternary'],
  range: ['range'],
  optional: ['optional', 'ternary'],
};

/** Throws {@link BindingError} naming the first P4Info object without a matching device object. */
export function checkBinding(model: P4InfoModel, device: DeviceProgramInfo): void {
  for (const action of model.actions.values()) {
    const da = device.actions.get(action.name);
    // PI maps actions by name when they are used, so a P4Info action the compiler left out of the
    // device config (p4c drops an unused NoAction) is accepted; a write naming it fails.
    if (!da) continue;
    if (da.paramWidths.length !== action.params.length) {
      throw new BindingError(
        `action '${action.name}' has ${action.params.length} parameter(s) in the P4Info but ${da.paramWidths.length} in the device config`,
      );
    }
    action.params.forEach((p, i) => {
      if (da.paramWidths[i] !== p.bitwidth) {
        throw new BindingError(
          `parameter '${p.name}' of action '${action.name}' is ${p.bitwidth} bits in the P4Info but ${da.paramWidths[i]} in the device config`,
        );
      }
    });
  }
  for (const table of model.tables.values()) {
    const dt = device.tables.get(table.name);
    if (!dt) throw new BindingError(`table '${table.name}' (id ${table.id}) is not in the device config`);
    if (dt.key.length !== table.matchFields.length) {
      throw new BindingError(
        `table '${table.name}' has ${table.matchFields.length} match field(s) in the P4Info but ${dt.key.length} key field(s) in the device config`,
      );
    }
    table.matchFields.forEach((f, i) => {
      const dk = dt.key[i];
      if (!COMPATIBLE_KINDS[f.matchType].includes(dk.kind)) {
        throw new BindingError(
          `match field '${f.name}' of table '${table.name}' is ${f.matchType} in the P4Info but ${dk.kind} in the device config`,
        );
      }
      // P4Info gives no width to `error`-typed fields (bitwidth 0); PI accepts them.
      if (dk.kind !== 'valid' && f.bitwidth !== 0 && dk.bitwidth !== f.bitwidth) {
        throw new BindingError(
          `match field '${f.name}' of table '${table.name}' is ${f.bitwidth} bits in the P4Info but ${dk.bitwidth} in the device config`,
        );
      }
    });
    for (const aid of table.actionScopes.keys()) {
      const name = model.actions.get(aid)?.name ?? '';
      if (!device.actions.has(name)) continue;
      if (!dt.actions.includes(name))
        throw new BindingError(
          `action '${name}' of table '${table.name}' is not an action of that table in the device config`,
        );
    }
    const profile = table.implementationId
      ? model.actionProfiles.get(table.implementationId)?.name
      : undefined;
    if (profile !== dt.actionProfile) {
      throw new BindingError(
        `table '${table.name}' is implemented by ${profile ? `action profile '${profile}'` : 'no action profile'} in the P4Info but by ${dt.actionProfile ? `'${dt.actionProfile}'` : 'none'} in the device config`,
      );
    }
    const counter = table.directCounterId ? model.directCounters.get(table.directCounterId)?.name : undefined;
    if (counter !== undefined && counter !== dt.directCounter) {
      throw new BindingError(
        `direct counter '${counter}' of table '${table.name}' is not attached to it in the device config`,
      );
    }
    const meter = table.directMeterId ? model.directMeters.get(table.directMeterId)?.name : undefined;
    if (meter !== undefined && meter !== dt.directMeter) {
      throw new BindingError(
        `direct meter '${meter}' of table '${table.name}' is not attached to it in the device config`,
      );
    }
    if (table.supportsIdleTimeout && !dt.supportsTimeout) {
      throw new BindingError(
        `table '${table.name}' supports idle timeout in the P4Info but not in the device config`,
      );
    }
  }
  for (const ap of model.actionProfiles.values()) {
    const dap = device.actionProfiles.get(ap.name);
    if (!dap) throw new BindingError(`action profile '${ap.name}' (id ${ap.id}) is not in the device config`);
    if (dap.withSelector !== ap.withSelector) {
      throw new BindingError(
        `action profile '${ap.name}' ${ap.withSelector ? 'has' : 'has no'} selector in the P4Info but not in the device config`,
      );
    }
  }
  for (const c of model.counters.values()) {
    const dc = device.counters.get(c.name);
    if (!dc || dc.directTable !== undefined)
      throw new BindingError(
        `counter '${c.name}' (id ${c.id}) is not an indexed counter of the device config`,
      );
    if (dc.size !== c.size)
      throw new BindingError(
        `counter '${c.name}' has ${c.size} cells in the P4Info but ${dc.size} in the device config`,
      );
  }
  for (const m of model.meters.values()) {
    const dm = device.meters.get(m.name);
    if (!dm || dm.directTable !== undefined)
      throw new BindingError(`meter '${m.name}' (id ${m.id}) is not an indexed meter of the device config`);
    if (dm.size !== m.size)
      throw new BindingError(
        `meter '${m.name}' has ${m.size} cells in the P4Info but ${dm.size} in the device config`,
      );
  }
  for (const c of model.directCounters.values()) {
    if (device.counters.get(c.name)?.directTable === undefined)
      throw new BindingError(`direct counter '${c.name}' (id ${c.id}) is not in the device config`);
  }
  for (const m of model.directMeters.values()) {
    if (device.meters.get(m.name)?.directTable === undefined)
      throw new BindingError(`direct meter '${m.name}' (id ${m.id}) is not in the device config`);
  }
  for (const r of model.registers.values()) {
    const dr = device.registers.get(r.name);
    if (!dr) throw new BindingError(`register '${r.name}' (id ${r.id}) is not in the device config`);
    if (r.bitwidth !== undefined && dr.bitwidth !== r.bitwidth) {
      throw new BindingError(
        `register '${r.name}' is ${r.bitwidth} bits wide in the P4Info but ${dr.bitwidth} in the device config`,
      );
    }
  }
  for (const d of model.digests.values()) {
    const dl = device.learnLists.get(d.name);
    if (!dl)
      throw new BindingError(`digest '${d.name}' (id ${d.id}) is not a learn list of the device config`);
    if (d.layout && d.layout.widths.join(',') !== dl.fieldWidths.join(',')) {
      throw new BindingError(
        `digest '${d.name}' has fields of ${d.layout.widths.join('/')} bits in the P4Info but ${dl.fieldWidths.join('/')} in the device config`,
      );
    }
  }
  for (const v of model.valueSets.values()) {
    const dv = device.valueSets.get(v.name);
    if (!dv) throw new BindingError(`value set '${v.name}' (id ${v.id}) is not in the device config`);
    const width = v.match.reduce((sum, f) => sum + f.bitwidth, 0);
    if (dv.bitwidth !== width)
      throw new BindingError(
        `value set '${v.name}' is ${width} bits wide in the P4Info but ${dv.bitwidth} in the device config`,
      );
  }
}
