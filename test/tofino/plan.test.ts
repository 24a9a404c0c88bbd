// The controller plans unchanged for Tofino: the example fabric, planned as genevectl plans it, is
// checked against the committed P4Info of each Tofino build (every table, match field, action,
// parameter and value width), and the Tofino P4Info has the v1model names and widths, less what the
// Tofino profile leaves to the controller (neighbor suppression, DATAPLANE.md rule 15a).
import { join } from 'node:path';
import { EntityCodec, loadP4Info, P4InfoIndex } from 'p4runtime-ts-grpc';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, programArtifactPath } from '../../src/artifacts/program.js';
import { TOFINO_TARGETS, tofinoArtifactPath } from '../../src/artifacts/tofino.js';
import { entitiesForProgram, findValueSet, neighborAnswerer } from '../../src/controller/index.js';
import { loadFabricIntent } from '../../src/controller/parse-intent.js';
import { planFabric, SECURITY_OPTION_VALUE_SET } from '../../src/controller/plan.js';
import { tableAction } from '../../src/controller/reconcile.js';

/** The CPU port each wrapper is compiled with by default (p4/tna/main.p4, p4/t2na/main.p4). */
const DEFAULT_CPU_PORT: Record<string, number> = { tna: 320, t2na: 0 };

/** What v1model has and the Tofino builds leave to the controller (NEIGHBOR_SUPPRESSION 0, rule 15a). */
const NEIGHBOR_TABLES = ['arp_answer', 'nd_answer', 'unknown_neighbor'].map(
  (t) => `VtepIngress.neighbor_suppression.${t}`,
);
const NEIGHBOR_COUNTER = 'VtepIngress.tenant_neighbor_answers';
const isNeighborAction = (name: string) =>
  /^VtepIngress\.(neighbor_(suppression|reply)\.|tunnel_termination\.return_tunnel_)/.test(name);

/** Names and widths of everything the controller touches, in a comparable form. */
async function shape(path: string): Promise<Record<string, unknown>> {
  const index = new P4InfoIndex(await loadP4Info(path));
  const tables = Object.fromEntries(
    [...index.tables].map((t) => [
      t.name,
      {
        match: [...t.matchFields].map((f) => [f.name, f.bitwidth, f.matchKind]),
        actions: [...t.actions].map((a) => a.name).sort(),
      },
    ]),
  );
  const actions = Object.fromEntries(
    [...index.actions].map((a) => [a.name, [...a.params].map((p) => [p.name, p.bitwidth])]),
  );
  const counters = Object.fromEntries([...index.counters].map((c) => [c.name, c.size]));
  const directCounters = [...index.directCounters].map((c) => c.name).sort();
  const packetMetadata = Object.fromEntries(
    [...index.controllerHeaders].map((h) => [h.name, [...h.metadata].map((m) => [m.name, m.bitwidth])]),
  );
  // The underlay route selectors (ECMP): the controller writes action sets to them by table.
  const actionProfiles = [...index.actionProfiles].map((p) => [p.name, p.withSelector]).sort();
  return { tables, actions, counters, directCounters, packetMetadata, actionProfiles };
}

describe.each(TOFINO_TARGETS)('the controller on $name ($target)', (target) => {
  it('plans the example fabric against the P4Info: every table, field, action and width', async () => {
    const index = new P4InfoIndex(await loadP4Info(tofinoArtifactPath(target, 'p4infoText')));
    const intent = loadFabricIntent(join(PACKAGE_ROOT, 'examples', 'fabric.yaml'));
    // The CPU port comes from the fabric file, as on any device; here the wrapper's default.
    intent.cpuPort = DEFAULT_CPU_PORT[target.name];
    // Fitted to the program as reconcileDevice fits it: the security option is recognized by a
    // parser value set here, not by v1model's security_option_recognition table.
    // A workload with an address, which v1model would answer ARP for itself.
    intent.tenants[0].vports[0].ipv4 ??= '192.168.10.1';
    const planned = planFabric(intent).entities;
    const plan = { entities: entitiesForProgram(index, planned) };
    // Neighbor bindings are planned (the example's workloads have addresses) and left out here:
    // the controller answers ARP / ND for this device (rule 15a), which it reads from the P4Info.
    const neighborTable = (e: (typeof planned)[number]) =>
      e.kind === 'table' && ['arp_answer', 'nd_answer', 'unknown_neighbor'].includes(e.table);
    expect(planned.filter(neighborTable).length).toBeGreaterThan(0);
    expect(plan.entities.filter(neighborTable)).toEqual([]);
    expect(neighborAnswerer(index)).toBe('controller');
    expect(plan.entities.some((e) => e.kind === 'valueSet')).toBe(true);
    expect(plan.entities.some((e) => e.kind === 'table' && e.table === 'security_option_recognition')).toBe(
      false,
    );
    const portBits = index.tables.get('port_role').matchFields.get('port').bitwidth;
    let tableEntries = 0;
    for (const e of plan.entities) {
      if (e.kind === 'meter') continue;
      if (e.kind === 'valueSet') {
        const set = findValueSet(index, e.valueSet);
        expect(set && index.valueSets.get(set.id).size, e.valueSet).toBeGreaterThanOrEqual(e.members.length);
        continue;
      }
      if (e.kind !== 'table') {
        for (const r of e.replicas) expect(r.port, `${e.kind} ${e.id} port`).toBeLessThan(2 ** portBits);
        continue;
      }
      const table = index.tables.get(e.table);
      expect(() => table.actions.get(e.action), `${e.table}: action ${e.action}`).not.toThrow();
      // Encoding checks every match field and parameter by name and that each value fits its width.
      const entry = new EntityCodec(index).tableEntry(e.table, {
        match: e.isDefaultAction ? undefined : e.match,
        ...tableAction(e),
        ...(e.priority !== undefined ? { priority: e.priority } : {}),
        ...(e.isDefaultAction ? { isDefaultAction: true } : {}),
      }).tableEntry!;
      expect(entry.tableId).toBe(table.id);
      tableEntries++;
    }
    expect(tableEntries).toBe(plan.entities.filter((e) => e.kind === 'table').length);
    expect(tableEntries).toBeGreaterThan(20);
    const cloneSession = plan.entities.find((e) => e.kind === 'cloneSession');
    expect(cloneSession?.kind === 'cloneSession' && cloneSession.replicas[0].port).toBe(intent.cpuPort);
  });

  it('has the names and widths of the v1model P4Info for everything the controller writes or reads', async () => {
    const tofino = await shape(tofinoArtifactPath(target, 'p4infoText'));
    const v1model = await shape(programArtifactPath('p4infoText'));
    // v1model's security_option_recognition table is Tofino's parser value set (docs/TOFINO.md).
    const v1tables = v1model.tables as Record<string, unknown>;
    const v1actions = v1model.actions as Record<string, unknown>;
    delete v1tables['VtepIngress.tunnel_termination.security_option_recognition'];
    delete v1actions['VtepIngress.tunnel_termination.recognize_security_option'];
    // Neighbor suppression is the controller's on Tofino (rule 15a): its tables, actions and counter.
    for (const t of NEIGHBOR_TABLES) {
      expect(v1tables[t], t).toBeDefined();
      delete v1tables[t];
    }
    const neighborActions = Object.keys(v1actions).filter(isNeighborAction);
    expect(neighborActions.length).toBeGreaterThanOrEqual(7);
    for (const a of neighborActions) delete v1actions[a];
    const v1counters = v1model.counters as Record<string, unknown>;
    expect(v1counters[NEIGHBOR_COUNTER]).toBe(4096);
    delete v1counters[NEIGHBOR_COUNTER];
    const index = new P4InfoIndex(await loadP4Info(tofinoArtifactPath(target, 'p4infoText')));
    expect(findValueSet(index, SECURITY_OPTION_VALUE_SET)?.name).toBe(
      'VtepIngressParser.frame_parser.security_option_headers',
    );
    expect(tofino.tables).toEqual(v1model.tables);
    expect(tofino.actions).toEqual(v1model.actions);
    expect(tofino.counters).toEqual(v1model.counters);
    expect(tofino.directCounters).toEqual(v1model.directCounters);
    expect(tofino.packetMetadata).toEqual(v1model.packetMetadata);
    expect(tofino.actionProfiles).toEqual(v1model.actionProfiles);
  });
});
