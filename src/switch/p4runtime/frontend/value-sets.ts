/**
 * ValueSetEntry (served here although bmv2's P4Runtime server answers UNIMPLEMENTED), following the
 * P4Runtime spec: MODIFY replaces the whole set, INSERT and DELETE are refused, a read returns the
 * members. bmv2 parser value sets match exactly, so members must use exact matches.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { hex, toCanonical, toFixedWidth } from './bytestrings.js';
import type { ValueSetModel } from './p4info-model.js';
import { type PipelineContext, updateKind } from './pipeline.js';
import { Code, invalidArgument, onTarget, statusError, unimplemented } from './status.js';

/** Packs field values (fixed width, in field order) into one value of the summed width. */
function pack(fields: readonly { bitwidth: number }[], values: readonly Uint8Array[]): Uint8Array {
  const total = fields.reduce((s, f) => s + f.bitwidth, 0);
  const out = new Uint8Array((total + 7) >> 3);
  let bitPos = out.length * 8 - total;
  fields.forEach((f, i) => {
    const v = values[i];
    const skip = v.length * 8 - f.bitwidth;
    for (let b = 0; b < f.bitwidth; b++) {
      const src = skip + b;
      if ((v[src >> 3] >> (7 - (src & 7))) & 1) out[bitPos >> 3] |= 0x80 >> (bitPos & 7);
      bitPos++;
    }
  });
  return out;
}

interface SetState {
  readonly model: ValueSetModel;
  /** Members as written (exact values per field, fixed width) with their packed device value. */
  members: { values: Uint8Array[]; packed: string; device: Uint8Array }[];
}

export class ValueSetManager {
  private readonly sets = new Map<number, SetState>();

  constructor(private readonly ctx: PipelineContext) {
    for (const model of ctx.model.valueSets.values()) this.sets.set(model.id, { model, members: [] });
  }

  private set(id: number | null | undefined): SetState {
    const model = this.ctx.model.lookup(this.ctx.model.valueSets, 'VALUE_SET', id);
    return this.sets.get(model.id)!;
  }

  write(type: number | null | undefined, entry: p4.v1.IValueSetEntry): void {
    const state = this.set(entry.valueSetId);
    const model = state.model;
    const kind = updateKind(type);
    if (kind !== 'MODIFY') {
      throw invalidArgument(
        `${kind} update type not supported for value sets, use MODIFY to replace the members`,
        `value set '${model.name}'`,
      );
    }
    const wanted = new Map<string, { values: Uint8Array[]; packed: string; device: Uint8Array }>();
    for (const member of entry.members ?? []) {
      const byId = new Map((member.match ?? []).map((m) => [m.fieldId ?? 0, m]));
      for (const id of byId.keys()) {
        if (!model.match.some((f) => f.id === id))
          throw invalidArgument(
            'Unknown field in value set member',
            `value set '${model.name}' has no field ${id}`,
          );
      }
      const values = model.match.map((f) => {
        const m = byId.get(f.id);
        const what = `field '${f.name}' (id ${f.id}) of value set '${model.name}'`;
        if (!m) throw invalidArgument('Missing field in value set member', what);
        if (f.matchType !== 'exact' || !m.exact)
          throw unimplemented('bmv2 parser value sets only support exact matches', what);
        return toFixedWidth(m.exact.value, f.bitwidth, what);
      });
      const device = pack(model.match, values);
      wanted.set(hex(device), { values, packed: hex(device), device });
    }
    if (model.size > 0 && wanted.size > model.size) {
      throw statusError(
        Code.RESOURCE_EXHAUSTED,
        'Too many members for value set',
        `value set '${model.name}' holds at most ${model.size}, got ${wanted.size}`,
      );
    }
    onTarget('Error when setting value set members in target', () =>
      this.ctx.control.setValueSet(
        model.name,
        [...wanted.values()].map((m) => m.device),
      ),
    );
    state.members = [...wanted.values()];
  }

  read(request: p4.v1.IValueSetEntry, out: p4.v1.IEntity[]): void {
    const states = request.valueSetId ? [this.set(request.valueSetId)] : [...this.sets.values()];
    for (const state of states) {
      out.push({
        valueSetEntry: {
          valueSetId: state.model.id,
          members: state.members.map((m) => ({
            match: state.model.match.map((f, i) => ({
              fieldId: f.id,
              exact: { value: toCanonical(m.values[i]) },
            })),
          })),
        },
      });
    }
  }
}
