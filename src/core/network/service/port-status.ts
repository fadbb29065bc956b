/**
 * Port status written back by the network agent after the data plane realized (or lost) a port:
 * ACTIVE or DOWN, as Neutron's agents report it. Status is observed state, not desired state, so it
 * records no change in the feed (the agent would otherwise wake itself up); it still bumps the
 * port's revision_number, as Neutron does. Pure core.
 */
import { KIND, type PortData } from '../../model/network.js';
import type { ResourceStore } from '../../ports/resource-store.js';

export type ObservedPortStatus = 'ACTIVE' | 'DOWN';

/**
 * Sets each named port's status when it differs. Ports deleted meanwhile are skipped. Returns the
 * ids actually changed. One transaction per call, so a batch of hundreds costs one commit.
 */
export async function writePortStatuses(store: ResourceStore, statuses: ReadonlyMap<string, ObservedPortStatus>): Promise<string[]> {
  if (statuses.size === 0) return [];
  return store.transaction(async (tx) => {
    const changed: string[] = [];
    const rows = await tx.list<PortData>(KIND.port, { ids: [...statuses.keys()] });
    for (const row of rows) {
      const want = statuses.get(row.id);
      if (!want || row.data.status === want) continue;
      const locked = await tx.getForUpdate<PortData>(KIND.port, row.id);
      if (!locked || locked.data.status === want) continue;
      await tx.update(KIND.port, row.id, { ...locked.data, status: want });
      changed.push(row.id);
    }
    return changed;
  });
}
