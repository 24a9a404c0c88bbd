/**
 * RegisterEntry (served here although bmv2's P4Runtime server answers UNIMPLEMENTED): MODIFY writes
 * one cell, or every cell when the index is unset; reads without index return every cell. Data is a
 * P4Data bitstring of the register's width.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import { bigIntToBytes, bytesToBigInt, byteWidth, toCanonical, toFixedWidth } from './bytestrings.js';
import type { RegisterModel } from './p4info-model.js';
import { type PipelineContext, toBigInt, updateKind } from './pipeline.js';
import { Code, invalidArgument, onTarget, statusError, unimplemented } from './status.js';

function cellIndexes(model: RegisterModel, index: p4.v1.IIndex | null | undefined): number[] {
  if (!index) return [...Array(model.size).keys()];
  const i = toBigInt(index.index);
  if (i < 0n)
    throw invalidArgument(
      'A negative number is not a valid index value',
      `register '${model.name}', index ${i}`,
    );
  if (i >= BigInt(model.size)) {
    throw statusError(
      Code.OUT_OF_RANGE,
      'Register index out of range',
      `register '${model.name}' has ${model.size} cells, index ${i}`,
    );
  }
  return [Number(i)];
}

export class RegisterManager {
  constructor(private readonly ctx: PipelineContext) {}

  private usable(id: number | null | undefined): RegisterModel & { bitwidth: number } {
    const model = this.ctx.model.lookup(this.ctx.model.registers, 'REGISTER', id);
    if (model.bitwidth === undefined)
      throw unimplemented('Register type not supported', model.unsupportedReason);
    return model as RegisterModel & { bitwidth: number };
  }

  write(type: number | null | undefined, entry: p4.v1.IRegisterEntry): void {
    const model = this.usable(entry.registerId);
    const kind = updateKind(type);
    if (kind !== 'MODIFY')
      throw invalidArgument(`${kind} update type not supported for registers`, `register '${model.name}'`);
    const bits = entry.data?.bitstring;
    if (bits === null || bits === undefined) {
      throw invalidArgument(
        'Register data must be a P4Data bitstring',
        `register '${model.name}' holds bit<${model.bitwidth}>`,
      );
    }
    const value = bytesToBigInt(toFixedWidth(bits, model.bitwidth, `data of register '${model.name}'`));
    for (const i of cellIndexes(model, entry.index)) {
      onTarget('Error when writing to register', () => this.ctx.control.writeRegister(model.name, i, value));
    }
  }

  read(request: p4.v1.IRegisterEntry, out: p4.v1.IEntity[]): void {
    const models = request.registerId
      ? [this.usable(request.registerId)]
      : [...this.ctx.model.registers.values()].filter(
          (m): m is RegisterModel & { bitwidth: number } => m.bitwidth !== undefined,
        );
    for (const model of models) {
      for (const i of cellIndexes(model, request.index)) {
        const value = onTarget('Error when reading register from target', () =>
          this.ctx.control.readRegister(model.name, i),
        );
        out.push({
          registerEntry: {
            registerId: model.id,
            index: { index: i },
            data: { bitstring: toCanonical(bigIntToBytes(value, byteWidth(model.bitwidth))) },
          },
        });
      }
    }
  }
}
