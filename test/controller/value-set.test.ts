// Where the program recognizes the security option in its parser (the Tofino builds: a parser value
// set in the place of security_option_recognition), the controller writes the value set: its two
// option header words, by MODIFY, and a re-apply of the same writes nothing. The program here is
// the bmv2 P4Info edited as bf-p4c lists it (a value set with no match field, named after the
// parser instance), so that the test needs no Tofino build.

import { join } from 'node:path';
import { loadP4Info, P4InfoIndex, type P4RuntimeClient, p4 } from 'p4runtime-ts-grpc';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, programArtifactPath } from '../../src/artifacts/program.js';
import type { ObservedEntity } from '../../src/controller/device-state.js';
import {
  entitiesForProgram,
  entityKey,
  entityValue,
  type FabricIntent,
  loadFabricIntent,
  planFabric,
  programMismatch,
} from '../../src/controller/index.js';
import { SECURITY_OPTION_VALUE_SET } from '../../src/controller/plan.js';
import { encodePlanned } from '../../src/controller/planned-key.js';
import { diffDevice, encodePlan } from '../../src/controller/reconcile.js';

const SET_ID = 0x03000001;

let bmv2: P4InfoIndex;
let tofinoLike: P4InfoIndex;
beforeAll(async () => {
  const p4info = await loadP4Info(programArtifactPath('p4infoJson'));
  bmv2 = new P4InfoIndex(p4info);
  const copy: p4.config.v1.IP4Info = p4.config.v1.P4Info.decode(p4.config.v1.P4Info.encode(p4info).finish());
  copy.tables = (copy.tables ?? []).filter(
    (t) => !t.preamble?.name?.endsWith('.security_option_recognition'),
  );
  copy.valueSets = [
    p4.config.v1.ValueSet.create({
      preamble: {
        id: SET_ID,
        name: 'VtepIngressParser.frame_parser.security_option_headers',
        alias: 'pipe.VtepIngressParser.frame_parser.security_option_headers',
      },
      size: 2,
    }),
  ];
  tofinoLike = new P4InfoIndex(copy);
});

const intent = (): FabricIntent => loadFabricIntent(join(PACKAGE_ROOT, 'examples', 'fabric.yaml'));

describe('the security option recognized by a parser value set', () => {
  it('is planned as both header words (critical bit clear and set), class and type from the intent', () => {
    const i = intent();
    i.securityOption = { optionClass: 0x0102, type: 0x05, critical: true };
    const sets = planFabric(i).entities.filter((e) => e.kind === 'valueSet');
    expect(sets).toEqual([
      {
        kind: 'valueSet',
        valueSet: SECURITY_OPTION_VALUE_SET,
        members: [0x01020501, 0x01028501],
        owner: 'security option',
      },
    ]);
  });

  it('is written where the program has the value set, and the table where it has the table', () => {
    const planned = planFabric(intent()).entities;
    const onTofino = entitiesForProgram(tofinoLike, planned);
    const onBmv2 = entitiesForProgram(bmv2, planned);
    expect(onTofino.filter((e) => e.kind === 'valueSet')).toHaveLength(1);
    expect(onTofino.some((e) => e.kind === 'table' && e.table === 'security_option_recognition')).toBe(false);
    expect(onBmv2.some((e) => e.kind === 'valueSet')).toBe(false);
    expect(onBmv2.some((e) => e.kind === 'table' && e.table === 'security_option_recognition')).toBe(true);
  });

  it('is a ValueSetEntry modified into place, and unchanged once the device holds it', () => {
    const client = { p4info: tofinoLike } as unknown as P4RuntimeClient;
    const planned = entitiesForProgram(tofinoLike, planFabric(intent()).entities).filter(
      (e) => e.kind === 'valueSet',
    );
    const entity = encodePlanned(client, planned[0]);
    // The default option, class 0xFFF0 type 1 (intent.ts), as canonical bytestrings.
    expect(entity.valueSetEntry).toEqual({
      valueSetId: SET_ID,
      members: [
        { match: [{ fieldId: 1, exact: { value: Uint8Array.from([0xff, 0xf0, 0x01, 0x01]) } }] },
        { match: [{ fieldId: 1, exact: { value: Uint8Array.from([0xff, 0xf0, 0x81, 0x01]) } }] },
      ],
    });
    const desired = encodePlan(client, planned);
    const empty = diffDevice(tofinoLike, desired, new Map());
    expect(empty.changes.map((c) => [c.kind, c.table])).toEqual([['modify', SECURITY_OPTION_VALUE_SET]]);

    // The device holds it, members in the other order: nothing to write, nothing to delete.
    const held: p4.v1.IEntity = {
      valueSetEntry: { valueSetId: SET_ID, members: [...(entity.valueSetEntry?.members ?? [])].reverse() },
    };
    const observed = new Map<string, ObservedEntity>([
      [entityKey(held), { key: entityKey(held), value: entityValue(held), raw: held }],
    ]);
    const same = diffDevice(tofinoLike, desired, observed);
    expect(same.changes).toEqual([]);
    expect(same.unchanged).toBe(1);

    // Another option on the device: modified, never deleted.
    const other: p4.v1.IEntity = {
      valueSetEntry: {
        valueSetId: SET_ID,
        members: [{ match: [{ fieldId: 1, exact: { value: Uint8Array.from([1, 2, 3, 4]) } }] }],
      },
    };
    const drifted = diffDevice(
      tofinoLike,
      desired,
      new Map([[entityKey(other), { key: entityKey(other), value: entityValue(other), raw: other }]]),
    );
    expect(drifted.changes.map((c) => c.kind)).toEqual(['modify']);
    expect(drifted.drift).toEqual([]);
  });

  it('is refused by the program check where the set holds fewer members than the VTEP writes', () => {
    const planned = entitiesForProgram(tofinoLike, planFabric(intent()).entities);
    expect(programMismatch(tofinoLike, bmv2, planned)).toBeUndefined();
    const copy: p4.config.v1.IP4Info = p4.config.v1.P4Info.decode(
      p4.config.v1.P4Info.encode(tofinoLike.p4info).finish(),
    );
    copy.valueSets![0].size = 1;
    expect(programMismatch(new P4InfoIndex(copy), bmv2, planned)).toBe(
      'value set VtepIngressParser.frame_parser.security_option_headers: holds 1 members, the VTEP writes 2',
    );
  });
});
