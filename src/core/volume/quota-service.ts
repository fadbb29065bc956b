/**
 * Quotas and limits: per-project limits over Cinder's resources (volumes, gigabytes, snapshots, and
 * their per-type variants), usage computed from the stored rows, and the check that create, extend
 * and snapshot run inside their own transaction (so the usage they count is the one they commit
 * against). -1 means unlimited. Pure: imports only core.
 */
import { NotFound, QuotaExceeded } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { Backup } from '../model/backup.js';
import type { QuotaSet, Snapshot, Volume, VolumeType } from '../model/volume.js';
import type { ResourceStore, ResourceTx } from '../ports/resource-store.js';
import { KIND, authorizeVolume, badRequest } from './common.js';

export const DEFAULT_QUOTAS: Readonly<Record<string, number>> = {
  volumes: 10,
  snapshots: 10,
  gigabytes: 1000,
  backups: 10,
  backup_gigabytes: 1000,
  groups: 10,
  per_volume_gigabytes: -1,
};

const CLASS_ID = 'quota_class:default';
/** Claim namespace used as a per-project lock held by quota checks until their transaction ends. */
const QUOTA_LOCK = 'volume_quota_lock';

export interface Usage {
  volumes: number;
  gigabytes: number;
  snapshots: number;
  backups: number;
  backupGigabytes: number;
  byType: Record<string, { volumes: number; gigabytes: number; snapshots: number }>;
}

export interface QuotaDelta {
  volumes?: number;
  gigabytes?: number;
  snapshots?: number;
  backups?: number;
  backupGigabytes?: number;
  /** Name of the volume type the new usage is of (per-type quotas). */
  typeName?: string;
}

export class QuotaService {
  constructor(
    private readonly store: ResourceStore,
    private readonly projectExists: (id: string) => Promise<boolean>,
  ) {}

  /** Defaults (the quota class) merged with per-type keys for every type. */
  async defaults(tx: ResourceTx): Promise<Record<string, number>> {
    const cls = await tx.get<QuotaSet>(KIND.quota, CLASS_ID);
    const out: Record<string, number> = { ...DEFAULT_QUOTAS, ...(cls?.data.limits ?? {}) };
    for (const t of await tx.list<VolumeType>(KIND.type)) {
      for (const k of ['volumes', 'gigabytes', 'snapshots']) {
        const key = `${k}_${t.data.name}`;
        if (out[key] === undefined) out[key] = -1;
      }
    }
    return out;
  }

  async limitsOf(tx: ResourceTx, projectId: string): Promise<Record<string, number>> {
    const own = await tx.get<QuotaSet>(KIND.quota, projectId);
    return { ...(await this.defaults(tx)), ...(own?.data.limits ?? {}) };
  }

  async usage(tx: ResourceTx, projectId: string): Promise<Usage> {
    const volumes = await tx.list<Volume>(KIND.volume, { projectId });
    const snapshots = await tx.list<Snapshot>(KIND.snapshot, { projectId });
    const typeNames = new Map((await tx.list<VolumeType>(KIND.type)).map((t) => [t.id, t.data.name]));
    const u: Usage = { volumes: 0, gigabytes: 0, snapshots: 0, backups: 0, backupGigabytes: 0, byType: {} };
    for (const b of await tx.list<Backup>(KIND.backup, { projectId })) {
      u.backups += 1;
      u.backupGigabytes += b.data.size;
    }
    const bucket = (typeId: string) => {
      const name = typeNames.get(typeId) ?? '';
      return (u.byType[name] ??= { volumes: 0, gigabytes: 0, snapshots: 0 });
    };
    const volType = new Map<string, string>();
    for (const v of volumes) {
      volType.set(v.id, v.data.volumeTypeId);
      u.volumes += 1;
      u.gigabytes += v.data.size;
      const b = bucket(v.data.volumeTypeId);
      b.volumes += 1;
      b.gigabytes += v.data.size;
    }
    for (const s of snapshots) {
      u.snapshots += 1;
      u.gigabytes += s.data.size;
      const b = bucket(volType.get(s.data.volumeId) ?? '');
      b.snapshots += 1;
      b.gigabytes += s.data.size;
    }
    return u;
  }

  /**
   * Throws QuotaExceeded (413) when adding `delta` would pass a limit. Call inside the writing
   * transaction, before it inserts what it counts.
   *
   * Race-free on PostgreSQL, where transactions run at once (SQLite serializes writers): the check
   * first takes and at once gives back a claim on (QUOTA_LOCK, project). Claims are rows under a
   * primary key, so a second transaction's claim waits on the first one's uncommitted row until that
   * transaction ends, and its usage query (a new statement, hence a new snapshot under READ
   * COMMITTED) then sees what the first one committed. Quota-checked writes of one project are thus
   * serialized from their check to their commit; other projects and other writes do not wait.
   */
  async check(tx: ResourceTx, projectId: string, delta: QuotaDelta, perVolumeSize?: number): Promise<void> {
    await tx.claim(QUOTA_LOCK, projectId, 'quota-check');
    await tx.release(QUOTA_LOCK, projectId);
    const limits = await this.limitsOf(tx, projectId);
    const usage = await this.usage(tx, projectId);
    const perVolume = limits['per_volume_gigabytes'] ?? -1;
    if (perVolumeSize !== undefined && perVolume >= 0 && perVolumeSize > perVolume) {
      throw new QuotaExceeded(`Requested volume size ${perVolumeSize}G is larger than maximum allowed limit ${perVolume}G.`, 'VolumeSizeExceedsLimit');
    }
    const over = (key: string, used: number, add: number | undefined) => {
      const limit = limits[key] ?? -1;
      return add !== undefined && add > 0 && limit >= 0 && used + add > limit ? limit : null;
    };
    const t = delta.typeName ? (usage.byType[delta.typeName] ?? { volumes: 0, gigabytes: 0, snapshots: 0 }) : null;
    const gbChecks: Array<[string, number]> = [['gigabytes', usage.gigabytes]];
    if (t && delta.typeName) gbChecks.push([`gigabytes_${delta.typeName}`, t.gigabytes]);
    for (const [key, used] of gbChecks) {
      const limit = over(key, used, delta.gigabytes);
      if (limit !== null) {
        const what = delta.snapshots ? 'SnapshotSizeExceedsAvailableQuota' : 'VolumeSizeExceedsAvailableQuota';
        throw new QuotaExceeded(`Requested volume or snapshot exceeds allowed ${key} quota. Requested ${delta.gigabytes}G, quota is ${limit}G and ${used}G has been consumed.`, what);
      }
    }
    const countChecks: Array<[string, number, number | undefined, string]> = [
      ['volumes', usage.volumes, delta.volumes, 'VolumeLimitExceeded'],
      ['snapshots', usage.snapshots, delta.snapshots, 'SnapshotLimitExceeded'],
    ];
    if (t && delta.typeName) {
      countChecks.push([`volumes_${delta.typeName}`, t.volumes, delta.volumes, 'VolumeLimitExceeded']);
      countChecks.push([`snapshots_${delta.typeName}`, t.snapshots, delta.snapshots, 'SnapshotLimitExceeded']);
    }
    for (const [key, used, add, type] of countChecks) {
      const limit = over(key, used, add);
      if (limit !== null) {
        const noun = key.startsWith('volumes') ? 'volumes' : 'snapshots';
        throw new QuotaExceeded(`Maximum number of ${noun} allowed (${limit}) exceeded for quota '${key}'.`, type);
      }
    }
    const backupGb = over('backup_gigabytes', usage.backupGigabytes, delta.backupGigabytes);
    if (backupGb !== null) {
      throw new QuotaExceeded(`Requested backup exceeds allowed Backup gigabytes quota. Requested ${delta.backupGigabytes}G, quota is ${backupGb}G and ${usage.backupGigabytes}G has been consumed.`, 'VolumeBackupSizeExceedsAvailableQuota');
    }
    const backups = over('backups', usage.backups, delta.backups);
    if (backups !== null) throw new QuotaExceeded(`Maximum number of backups allowed (${backups}) exceeded.`, 'BackupLimitExceeded');
  }

  // ---- API use cases
  async show(ctx: RequestContext, projectId: string, withUsage: boolean): Promise<Record<string, number | { limit: number; in_use: number; reserved: number; allocated: number }>> {
    authorizeVolume(ctx, 'quota:show', projectId);
    const limits = await this.limitsOf(this.store, projectId);
    if (!withUsage) return limits;
    const u = await this.usage(this.store, projectId);
    const used = (key: string): number => {
      if (key === 'volumes' || key === 'gigabytes' || key === 'snapshots' || key === 'backups') return u[key];
      if (key === 'backup_gigabytes') return u.backupGigabytes;
      const m = /^(volumes|gigabytes|snapshots)_(.+)$/.exec(key);
      if (m) return u.byType[m[2] as string]?.[m[1] as 'volumes' | 'gigabytes' | 'snapshots'] ?? 0;
      return 0;
    };
    return Object.fromEntries(Object.entries(limits).map(([k, limit]) => [k, { limit, in_use: used(k), reserved: 0, allocated: 0 }]));
  }

  async showDefaults(ctx: RequestContext, projectId: string): Promise<Record<string, number>> {
    authorizeVolume(ctx, 'quota:show', projectId);
    return this.defaults(this.store);
  }

  async update(ctx: RequestContext, projectId: string, body: Record<string, unknown>): Promise<Record<string, number>> {
    authorizeVolume(ctx, 'quota:update', projectId);
    if (!(await this.projectExists(projectId))) throw badRequest(`Invalid input received: Project ID ${projectId} is not a valid project.`);
    return this.store.transaction(async (tx) => {
      const known = await this.defaults(tx);
      const changes = validateQuotaBody(body, known);
      const usage = await this.usage(tx, projectId);
      for (const [k, v] of Object.entries(changes)) {
        const inUse = k === 'volumes' || k === 'gigabytes' || k === 'snapshots' || k === 'backups' ? usage[k] : k === 'backup_gigabytes' ? usage.backupGigabytes : 0;
        if (v >= 0 && v < inUse) throw badRequest(`Invalid input received: Quota limit ${v} for ${k} must be equal or greater than existing resources. Current usage is ${inUse} and the requested limit is ${v}.`);
      }
      const own = await tx.getForUpdate<QuotaSet>(KIND.quota, projectId);
      const limits = { ...(own?.data.limits ?? {}), ...changes };
      if (own) await tx.update<QuotaSet>(KIND.quota, projectId, { limits });
      else await tx.insert<QuotaSet>(KIND.quota, { id: projectId, projectId, data: { limits } });
      return { ...known, ...limits };
    });
  }

  async reset(ctx: RequestContext, projectId: string): Promise<void> {
    authorizeVolume(ctx, 'quota:update', projectId);
    await this.store.delete(KIND.quota, projectId);
  }

  async showClass(ctx: RequestContext, name: string): Promise<Record<string, number>> {
    authorizeVolume(ctx, 'quota:update');
    if (name !== 'default') throw new NotFound(`Quota class ${name} could not be found.`, 'QuotaClassNotFound');
    return this.defaults(this.store);
  }

  async updateClass(ctx: RequestContext, name: string, body: Record<string, unknown>): Promise<Record<string, number>> {
    authorizeVolume(ctx, 'quota:update');
    return this.store.transaction(async (tx) => {
      const known = await this.defaults(tx);
      const changes = validateQuotaBody(body, known);
      if (name !== 'default') return { ...known, ...changes }; // Cinder accepts and ignores other classes' effect
      const cls = await tx.getForUpdate<QuotaSet>(KIND.quota, CLASS_ID);
      const limits = { ...(cls?.data.limits ?? {}), ...changes };
      if (cls) await tx.update<QuotaSet>(KIND.quota, CLASS_ID, { limits });
      else await tx.insert<QuotaSet>(KIND.quota, { id: CLASS_ID, projectId: '', data: { limits } });
      return { ...known, ...limits };
    });
  }
}

function validateQuotaBody(body: Record<string, unknown>, known: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, raw] of Object.entries(body)) {
    if (k === 'id' || k === 'tenant_id' || k === 'project_id') continue;
    if (!(k in known)) throw badRequest(`Bad key(s) in quota set: ${k}`);
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < -1 || n > 2147483647) {
      throw badRequest(`Invalid input received: Quota value ${String(raw)} for ${k} must be an integer greater than or equal to -1.`);
    }
    out[k] = n;
  }
  return out;
}
