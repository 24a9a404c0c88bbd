/**
 * p4.v1.Action <-> device action calls: PI's `construct_action_data` checks (parameter count, known
 * parameter ids, values fitting their bit widths) and the reverse conversion for Read responses.
 */
import type { p4 } from 'p4runtime-ts-grpc/wire';
import type { DeviceActionCall } from '../device/device.js';
import { fittingView, toCanonical, toFixedWidth } from './bytestrings.js';
import type { ActionModel, P4InfoModel } from './p4info-model.js';
import { internalError, invalidArgument } from './status.js';

/** Parameter index by id, and labels for messages, built once per action: every write needs them. */
const paramInfos = new WeakMap<ActionModel, { index: Map<number, number>; labels: string[] }>();

function paramInfo(action: ActionModel): { index: Map<number, number>; labels: string[] } {
  let info = paramInfos.get(action);
  if (!info) {
    info = {
      index: new Map(action.params.map((p, i) => [p.id, i])),
      labels: action.params.map((p) => `parameter '${p.name}' (id ${p.id}) of action '${action.name}'`),
    };
    paramInfos.set(action, info);
  }
  return info;
}

/**
 * Checks an action's parameters against its P4Info definition and builds the device call. `kept`:
 * the caller stores the call (action profile members), so values are copied out of the request
 * buffer at the field's width; table entries hand it to the device, which converts it to a number at
 * once (values as sent, not zero-extended).
 */
export function buildActionCall(action: ActionModel, message: p4.v1.IAction, kept = true): DeviceActionCall {
  const params = message.params ?? [];
  if (params.length !== action.params.length) {
    throw invalidArgument(
      'Unexpected number of action parameters',
      `action '${action.name}' takes ${action.params.length}, got ${params.length}`,
    );
  }
  const args: Uint8Array[] = new Array(action.params.length);
  if (params.length === 0) return { action: action.name, args };
  const { index, labels } = paramInfo(action);
  for (let n = 0; n < params.length; n++) {
    const p = params[n];
    const id = p.paramId ?? 0;
    const i = index.get(id);
    if (i === undefined)
      throw invalidArgument(
        'Unknown action parameter',
        `action '${action.name}' has no parameter with id ${id}`,
      );
    const model = action.params[i];
    if (args[i] !== undefined)
      throw invalidArgument(
        'Duplicate action parameter',
        `parameter '${model.name}' of action '${action.name}'`,
      );
    args[i] = kept
      ? toFixedWidth(p.value, model.bitwidth, labels[i])
      : fittingView(p.value, model.bitwidth, labels[i]);
  }
  return { action: action.name, args };
}

/** The p4.v1.Action of a device call (canonical parameter values). */
export function actionMessageOf(model: P4InfoModel, call: DeviceActionCall): p4.v1.IAction {
  const action = model.actionsByName.get(call.action);
  if (!action) throw internalError('Device reported an action that is not in the P4Info', `'${call.action}'`);
  return {
    actionId: action.id,
    params: action.params.map((p, i) => ({
      paramId: p.id,
      value: toCanonical(call.args[i] ?? new Uint8Array(0)),
    })),
  };
}
