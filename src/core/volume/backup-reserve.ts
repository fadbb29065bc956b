/**
 * The backup side of creating a volume from a backup (3.47), apart from backup-service.ts so that
 * the volume service can use it without an import cycle. Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import type { Backup } from '../model/backup.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';
import { KIND, authorizeVolume, backupNotFound, invalidBackup, loadScoped } from './common.js';
import { conditionalUpdate } from './conditional-update.js';
import { BACKUP_MOVES, canMove } from './states.js';

/**
 * Marks a backup as being restored from by a new volume (create with backup_id, 3.47): it must be
 * available, or already restoring into other new volumes (several may be made from one backup at once).
 */
export async function reserveBackupForVolume(tx: ResourceTx, ctx: RequestContext, backupId: string): Promise<StoredResource<Backup>> {
  const row = await loadScoped<Backup>(tx, ctx, KIND.backup, backupId, backupNotFound);
  authorizeVolume(ctx, 'backup:restore', row.projectId);
  return conditionalUpdate<Backup>(tx, KIND.backup, backupId, {
    notFound: () => backupNotFound(backupId),
    check: (r) => {
      if (!canMove(BACKUP_MOVES.createFrom, r.data.status)) throw invalidBackup(`Backup status must be available but is ${r.data.status}.`);
    },
    apply: (r) => ({ ...r.data, status: BACKUP_MOVES.createFrom.to }),
  });
}

