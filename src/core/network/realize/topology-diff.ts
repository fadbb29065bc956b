/**
 * The delta between two topologies, as the planner's `update` takes it: entities whose content
 * changed are upserted whole, missing ones removed. The agent rebuilds the topology from its cache of
 * documents after each batch of changes and lets this find what the batch really touched, so a write
 * the data plane does not care about (a port's name, a status) recompiles nothing.
 * An entity that is the same object on both sides is unchanged without being serialized: with a
 * TopologyMemo, every entity of a row the batch did not touch is, so a pass over 10,000 ports
 * serializes only the touched ones instead of all of them twice. Pure core.
 */
import type { TopologyChange } from '../plan/planner.js';
import type { Topology } from '../topology/topology.js';

type Collection = Exclude<keyof Topology, 'generation'>;
const COLLECTIONS: readonly Collection[] = ['networks', 'subnets', 'ports', 'routers', 'floatingIps', 'securityGroups', 'instances'];

export function diffTopology(prev: Topology, next: Topology): { change: TopologyChange; empty: boolean } {
  const upsert: Record<string, unknown[]> = {};
  const remove: Record<string, string[]> = {};
  let empty = true;
  for (const c of COLLECTIONS) {
    const before = new Map<string, object>();
    for (const e of prev[c]) before.set(e.id, e);
    const ups: unknown[] = [];
    for (const e of next[c]) {
      const old = before.get(e.id);
      before.delete(e.id);
      if (old !== e && (old === undefined || JSON.stringify(old) !== JSON.stringify(e))) ups.push(e);
    }
    if (ups.length) upsert[c] = ups;
    if (before.size) remove[c] = [...before.keys()];
    if (ups.length || before.size) empty = false;
  }
  return { change: { generation: next.generation, upsert: upsert as TopologyChange['upsert'], remove: remove as TopologyChange['remove'] }, empty };
}
