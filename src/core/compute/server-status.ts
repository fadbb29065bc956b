/**
 * Server status written back by the network agent: a server leaves BUILD for ACTIVE once the data
 * plane realized every one of its ports (its network is really there, as Nova waits for Neutron's
 * network-vif-plugged event). Observed state: no change is recorded in the feed. That ends the
 * build, so the server's create action gets its Success in the same transaction. Pure core.
 */
import { COMPUTE_KIND, type ServerData } from '../model/compute.js';
import type { ResourceStore } from '../ports/resource-store.js';
import { finishOpenAction } from './instance-actions.js';

/** BUILD → ACTIVE for the named servers; others (already ACTIVE, stopped, deleted) are left alone. */
export async function markServersActive(store: ResourceStore, serverIds: readonly string[], now: string): Promise<string[]> {
  if (serverIds.length === 0) return [];
  return store.transaction(async (tx) => {
    const changed: string[] = [];
    for (const id of serverIds) {
      const row = await tx.getForUpdate<ServerData>(COMPUTE_KIND.server, id);
      if (!row || row.data.status !== 'BUILD') continue;
      await tx.update(COMPUTE_KIND.server, id, { ...row.data, status: 'ACTIVE', powerState: 1, taskState: null, launchedAt: row.data.launchedAt ?? now });
      await finishOpenAction(tx, id, 'create', now);
      changed.push(id);
    }
    return changed;
  });
}
