/**
 * CounterEntry, DirectCounterEntry, MeterEntry and DirectMeterEntry as PI serves them on bmv2:
 * only MODIFY writes a cell (DELETE of a counter resets it to zero), a write needs an index, reads
 * without index return every cell, direct resources are addressed through their table entry.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceCounterValue } from '../device/device.js';
import { meterConfigOf, ratesOf, validateMeterConfig } from './meter-config.js';
import type { CounterModel, MeterModel } from './p4info-model.js';
import { longField, type PipelineContext, toBigInt, updateKind } from './pipeline.js';
import { Code, invalidArgument, onTarget, statusError, unimplemented } from './status.js';
import type { TableManager } from './tables.js';

function indexOf(index: p4.v1.IIndex | null | undefined): number | undefined {
  if (!index) return undefined;
  const i = toBigInt(index.index);
  if (i < 0n) throw invalidArgument('A negative number is not a valid index value', `index ${i}`);
  return i > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(i);
}

function checkIndex(index: number, size: number, what: string, context: string): void {
  // bmv2 refuses out-of-range indexes; PI reports any target failure as UNKNOWN.
  if (index >= size)
    throw statusError(Code.UNKNOWN, context, `index ${index} is out of range for ${what} of size ${size}`);
}

function counterDataOf(value: DeviceCounterValue): p4.v1.ICounterData {
  return { byteCount: longField(value.bytes), packetCount: longField(value.packets) };
}

export class CounterMeterManager {
  constructor(
    private readonly ctx: PipelineContext,
    private readonly tables: TableManager,
  ) {}

  /** Value to write given the counter's unit: bmv2 keeps the count the unit does not cover. */
  private mergeUnit(
    model: CounterModel,
    data: p4.v1.ICounterData | null | undefined,
    current: () => DeviceCounterValue,
  ): DeviceCounterValue {
    const bytes = toBigInt(data?.byteCount);
    const packets = toBigInt(data?.packetCount);
    if (model.unit === 'BYTES') return { bytes, packets: current().packets };
    if (model.unit === 'PACKETS') return { bytes: current().bytes, packets };
    return { bytes, packets };
  }

  // ---------------------------------------------------------------- indexed counters

  writeCounter(type: number | null | undefined, entry: p4.v1.ICounterEntry): void {
    const model = this.ctx.model.lookup(this.ctx.model.counters, 'COUNTER', entry.counterId);
    if (!entry.index)
      throw unimplemented(
        'Wildcard write is not supported for indirect counters yet',
        `counter '${model.name}'`,
      );
    const index = indexOf(entry.index)!;
    const kind = updateKind(type);
    if (kind === 'INSERT')
      throw invalidArgument('INSERT update type not supported for counters', `counter '${model.name}'`);
    const context = 'Error when writing to counter';
    checkIndex(index, model.size, `counter '${model.name}'`, context);
    const value =
      kind === 'DELETE'
        ? { bytes: 0n, packets: 0n }
        : this.mergeUnit(model, entry.data, () => this.ctx.control.readCounter(model.name, index));
    onTarget(context, () => this.ctx.control.writeCounter(model.name, index, value));
  }

  readCounters(request: p4.v1.ICounterEntry, out: p4.v1.IEntity[]): void {
    const models = request.counterId
      ? [this.ctx.model.lookup(this.ctx.model.counters, 'COUNTER', request.counterId)]
      : [...this.ctx.model.counters.values()];
    for (const model of models) {
      const index = indexOf(request.index);
      const indexes = index === undefined ? [...Array(model.size).keys()] : [index];
      for (const i of indexes) {
        const context = 'Error when reading counter from target';
        checkIndex(i, model.size, `counter '${model.name}'`, context);
        const value = onTarget(context, () => this.ctx.control.readCounter(model.name, i));
        out.push({ counterEntry: { counterId: model.id, index: { index: i }, data: counterDataOf(value) } });
      }
    }
  }

  // ---------------------------------------------------------------- direct counters

  writeDirectCounter(type: number | null | undefined, entry: p4.v1.IDirectCounterEntry): void {
    if (!entry.tableEntry) throw invalidArgument('Missing table_entry field in DirectCounterEntry');
    const table = this.tables.table(entry.tableEntry.tableId);
    const { handle } = this.tables.entryOf(entry.tableEntry);
    const model = this.ctx.model.directCounters.get(table.model.directCounterId);
    if (!model) throw invalidArgument('Table has no direct counters', `table '${table.model.name}'`);
    const kind = updateKind(type);
    if (kind === 'INSERT')
      throw invalidArgument(
        'INSERT update type not supported for counters',
        `direct counter '${model.name}'`,
      );
    const context = 'Error when writing to direct counter';
    if (handle < 0)
      throw statusError(Code.UNKNOWN, context, 'bmv2 does not support direct counters for default entries');
    const value =
      kind === 'DELETE'
        ? { bytes: 0n, packets: 0n }
        : this.mergeUnit(model, entry.data, () =>
            this.ctx.control.readDirectCounter(table.model.name, handle),
          );
    onTarget(context, () => this.ctx.control.writeDirectCounter(table.model.name, handle, value));
  }

  readDirectCounters(request: p4.v1.IDirectCounterEntry, out: p4.v1.IEntity[]): void {
    const te = request.tableEntry;
    if (!te) throw invalidArgument('Missing table_entry field in DirectCounterEntry');
    if (!te.tableId) throw unimplemented('Reading all direct counters for ALL tables is not supported yet');
    const table = this.tables.table(te.tableId);
    if (!table.model.directCounterId)
      throw invalidArgument('Table has no direct counters', `table '${table.model.name}'`);
    const name = table.model.name;
    const context = 'Error when reading counter from target';
    if ((te.match ?? []).length > 0 || te.isDefaultAction) {
      const { handle } = this.tables.entryOf(te);
      if (handle < 0)
        throw statusError(Code.UNKNOWN, context, 'bmv2 does not support direct counters for default entries');
      const value = onTarget(context, () => this.ctx.control.readDirectCounter(name, handle));
      out.push({ directCounterEntry: { tableEntry: te, data: counterDataOf(value) } });
      return;
    }
    for (const { handle, key } of this.tables.keyedEntries(table)) {
      const value = onTarget(context, () => this.ctx.control.readDirectCounter(name, handle));
      out.push({ directCounterEntry: { tableEntry: key, data: counterDataOf(value) } });
    }
  }

  // ---------------------------------------------------------------- indexed meters

  writeMeter(type: number | null | undefined, entry: p4.v1.IMeterEntry): void {
    const model = this.ctx.model.lookup(this.ctx.model.meters, 'METER', entry.meterId);
    if (!entry.index)
      throw unimplemented('Wildcard write is not supported for indirect meters yet', `meter '${model.name}'`);
    const index = indexOf(entry.index)!;
    const kind = updateKind(type);
    if (kind === 'INSERT')
      throw invalidArgument('INSERT update type not supported for meters', `meter '${model.name}'`);
    if (kind === 'DELETE')
      throw invalidArgument('DELETE update type not supported for meters', `meter '${model.name}'`);
    if (entry.config) validateMeterConfig(entry.config, `meter '${model.name}'`);
    const context = 'Error when writing meter spec';
    checkIndex(index, model.size, `meter '${model.name}'`, context);
    onTarget(context, () => this.ctx.control.setMeterRates(model.name, index, ratesOf(entry.config)));
  }

  readMeters(request: p4.v1.IMeterEntry, out: p4.v1.IEntity[]): void {
    const models: MeterModel[] = request.meterId
      ? [this.ctx.model.lookup(this.ctx.model.meters, 'METER', request.meterId)]
      : [...this.ctx.model.meters.values()];
    for (const model of models) {
      const index = indexOf(request.index);
      const indexes = index === undefined ? [...Array(model.size).keys()] : [index];
      for (const i of indexes) {
        const context = 'Error when reading meter spec from target';
        checkIndex(i, model.size, `meter '${model.name}'`, context);
        const rates = onTarget(context, () => this.ctx.control.getMeterRates(model.name, i));
        const meterEntry: p4.v1.IMeterEntry = { meterId: model.id, index: { index: i } };
        if (rates) meterEntry.config = meterConfigOf(rates);
        out.push({ meterEntry });
      }
    }
  }

  // ---------------------------------------------------------------- direct meters

  writeDirectMeter(type: number | null | undefined, entry: p4.v1.IDirectMeterEntry): void {
    if (!entry.tableEntry) throw invalidArgument('Missing table_entry field in DirectMeterEntry');
    const table = this.tables.table(entry.tableEntry.tableId);
    const { handle } = this.tables.entryOf(entry.tableEntry);
    const model = this.ctx.model.directMeters.get(table.model.directMeterId);
    if (!model) throw invalidArgument('Table has no direct meters', `table '${table.model.name}'`);
    const kind = updateKind(type);
    if (kind === 'INSERT')
      throw invalidArgument('INSERT update type not supported for meters', `direct meter '${model.name}'`);
    if (kind === 'DELETE')
      throw invalidArgument('DELETE update type not supported for meters', `direct meter '${model.name}'`);
    if (entry.config) validateMeterConfig(entry.config, `direct meter '${model.name}'`);
    const context = 'Error when writing direct meter spec';
    if (handle < 0)
      throw statusError(Code.UNKNOWN, context, 'bmv2 does not support direct meters for default entries');
    onTarget(context, () =>
      this.ctx.control.setDirectMeterRates(table.model.name, handle, ratesOf(entry.config)),
    );
  }

  readDirectMeters(request: p4.v1.IDirectMeterEntry, out: p4.v1.IEntity[]): void {
    const te = request.tableEntry;
    if (!te) throw invalidArgument('Missing table_entry field in DirectMeterEntry');
    if (!te.tableId) throw unimplemented('Reading all direct meters for ALL tables is not supported yet');
    const table = this.tables.table(te.tableId);
    if (!table.model.directMeterId)
      throw invalidArgument('Table has no direct meters', `table '${table.model.name}'`);
    const name = table.model.name;
    const context = 'Error when reading meter from target';
    if ((te.match ?? []).length > 0 || te.isDefaultAction) {
      const { handle } = this.tables.entryOf(te);
      if (handle < 0)
        throw statusError(Code.UNKNOWN, context, 'bmv2 does not support direct meters for default entries');
      const rates = onTarget(context, () => this.ctx.control.getDirectMeterRates(name, handle));
      const directMeterEntry: p4.v1.IDirectMeterEntry = { tableEntry: te };
      if (rates) directMeterEntry.config = meterConfigOf(rates);
      out.push({ directMeterEntry });
      return;
    }
    for (const { handle, key } of this.tables.keyedEntries(table)) {
      const rates = onTarget(context, () => this.ctx.control.getDirectMeterRates(name, handle));
      const directMeterEntry: p4.v1.IDirectMeterEntry = { tableEntry: key };
      if (rates) directMeterEntry.config = meterConfigOf(rates);
      out.push({ directMeterEntry });
    }
  }
}
