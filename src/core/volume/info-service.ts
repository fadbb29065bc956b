/**
 * The informational corners of the block storage API: availability zones, services (os-services,
 * with enable/disable), absolute limits, scheduler pools, hosts and backend capabilities. One
 * backend (`pocketstack@local#local`) in one zone (`nova`). Pure: imports only core.
 */
import { NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import type { Clock } from '../ports/clock.js';
import type { VolumeDriverStats } from '../ports/volume-driver.js';
import { AVAILABILITY_ZONE, BACKEND_HOST, authorizeVolume, badRequest, isoNow } from './common.js';
import type { QuotaService } from './quota-service.js';
import type { ResourceStore } from '../ports/resource-store.js';

export interface ServiceRecord {
  binary: string;
  host: string;
  zone: string;
  status: 'enabled' | 'disabled';
  state: 'up' | 'down';
  updatedAt: string;
  disabledReason: string | null;
}

const HOST = 'pocketstack';
const VOLUME_HOST = 'pocketstack@local';

export class BlockStorageInfo {
  private readonly disabled = new Map<string, string | null>();

  constructor(
    private readonly store: ResourceStore,
    private readonly clock: Clock,
    private readonly quotas: QuotaService,
    private readonly stats: () => Promise<VolumeDriverStats | null>,
  ) {}

  availabilityZones(): Array<{ zoneName: string; zoneState: { available: boolean } }> {
    return [{ zoneName: AVAILABILITY_ZONE, zoneState: { available: true } }];
  }

  services(ctx: RequestContext, filter: { host?: string; binary?: string }): ServiceRecord[] {
    authorizeVolume(ctx, 'service:read');
    const now = isoNow(this.clock.now());
    const base: ServiceRecord[] = [
      { binary: 'cinder-scheduler', host: HOST, zone: AVAILABILITY_ZONE, status: 'enabled', state: 'up', updatedAt: now, disabledReason: null },
      { binary: 'cinder-volume', host: VOLUME_HOST, zone: AVAILABILITY_ZONE, status: 'enabled', state: 'up', updatedAt: now, disabledReason: null },
      // The volume worker runs backups into the local backup repository (HOME/backups).
      { binary: 'cinder-backup', host: HOST, zone: AVAILABILITY_ZONE, status: 'enabled', state: 'up', updatedAt: now, disabledReason: null },
    ];
    const all = base.map((s): ServiceRecord => {
      const key = `${s.binary}/${s.host}`;
      return this.disabled.has(key) ? { ...s, status: 'disabled', disabledReason: this.disabled.get(key) ?? null } : s;
    });
    return all.filter((s) => (!filter.host || s.host === filter.host || s.host.split('@')[0] === filter.host) && (!filter.binary || s.binary === filter.binary));
  }

  /** PUT /os-services/{enable|disable|disable-log-reason}. */
  setStatus(ctx: RequestContext, action: string, body: Record<string, unknown>): ServiceRecord {
    authorizeVolume(ctx, 'service:read');
    const host = body['host'];
    const binary = body['binary'] ?? body['service'];
    if (typeof host !== 'string' || typeof binary !== 'string') throw badRequest('Missing required element host or binary in request body.');
    let reason: string | null = null;
    if (action === 'disable-log-reason') {
      const r = body['disabled_reason'];
      if (typeof r !== 'string' || r.trim() === '' || r.length > 255) throw badRequest('Disabled reason contains invalid characters or is too long');
      reason = r;
    } else if (action !== 'enable' && action !== 'disable') {
      throw new NotFound('Unknown action', 'HTTPNotFound');
    }
    const match = this.services(ctx, { host, binary });
    if (match.length === 0) throw new NotFound(`Service ${binary} on host ${host} could not be found.`, 'ServiceNotFound');
    const s = match[0] as ServiceRecord;
    const key = `${s.binary}/${s.host}`;
    if (action === 'enable') this.disabled.delete(key);
    else this.disabled.set(key, reason);
    return this.services(ctx, { host: s.host, binary: s.binary })[0] as ServiceRecord;
  }

  async absoluteLimits(ctx: RequestContext, projectId: string): Promise<Record<string, number>> {
    authorizeVolume(ctx, 'volume:get_all');
    const limits = await this.quotas.limitsOf(this.store, projectId);
    const usage = await this.quotas.usage(this.store, projectId);
    return {
      maxTotalVolumes: limits['volumes'] ?? -1,
      maxTotalSnapshots: limits['snapshots'] ?? -1,
      maxTotalVolumeGigabytes: limits['gigabytes'] ?? -1,
      maxTotalBackups: limits['backups'] ?? -1,
      maxTotalBackupGigabytes: limits['backup_gigabytes'] ?? -1,
      totalVolumesUsed: usage.volumes,
      totalSnapshotsUsed: usage.snapshots,
      totalGigabytesUsed: usage.gigabytes,
      totalBackupsUsed: usage.backups,
      totalBackupGigabytesUsed: usage.backupGigabytes,
    };
  }

  async capabilities(ctx: RequestContext, host: string): Promise<Record<string, unknown>> {
    authorizeVolume(ctx, 'service:read');
    if (host !== BACKEND_HOST && host !== VOLUME_HOST && host !== `${VOLUME_HOST}#local`) throw new NotFound(`Host ${host} could not be found.`, 'HostNotFound');
    return {
      namespace: 'OS::Storage::Capabilities::pocketstack@local',
      vendor_name: 'Open Source',
      volume_backend_name: 'local',
      pool_name: 'local',
      driver_version: '1.0',
      storage_protocol: 'nbd',
      display_name: 'PocketStack local copy-on-write store',
      description: null,
      visibility: null,
      replication_targets: [],
      properties: {
        thin_provisioning: { title: 'Thin Provisioning', description: 'Sets thin provisioning.', type: 'boolean' },
        compression: { title: 'Compression', description: 'Enables compression.', type: 'boolean' },
        qos: { title: 'QoS', description: 'Enables QoS.', type: 'boolean' },
      },
    };
  }

  async pools(ctx: RequestContext, detail: boolean): Promise<Array<Record<string, unknown>>> {
    authorizeVolume(ctx, 'service:read');
    if (!detail) return [{ name: BACKEND_HOST }];
    const s = await this.stats();
    const gib = 1024 ** 3;
    return [
      {
        name: BACKEND_HOST,
        capabilities: {
          pool_name: 'local', volume_backend_name: 'local', vendor_name: 'Open Source', driver_version: '1.0', storage_protocol: 'nbd',
          total_capacity_gb: s ? Math.floor((s.freeBytes + s.allocatedBytes) / gib) : 'unknown', free_capacity_gb: s ? Math.floor(s.freeBytes / gib) : 'unknown',
          allocated_capacity_gb: s ? Math.ceil(s.allocatedBytes / gib) : 0, provisioned_capacity_gb: s ? Math.ceil(s.provisionedBytes / gib) : 0,
          thin_provisioning_support: true, thick_provisioning_support: false, reserved_percentage: 0, QoS_support: true, multiattach: true,
          timestamp: isoNow(this.clock.now()),
        },
      },
    ];
  }

  async hosts(ctx: RequestContext): Promise<Array<Record<string, unknown>>> {
    authorizeVolume(ctx, 'service:read');
    return this.services(ctx, {}).map((s) => ({
      service: s.binary, host_name: s.host, zone: s.zone, 'service-status': 'available', 'service-state': s.status, 'last-update': s.updatedAt,
    }));
  }

  async hostDetail(ctx: RequestContext, host: string): Promise<Array<Record<string, unknown>>> {
    authorizeVolume(ctx, 'service:read');
    if (!this.services(ctx, { host }).length) throw new NotFound(`Host ${host} could not be found.`, 'HostNotFound');
    const volumes = await this.store.list<{ size: number }>('volume');
    const snaps = await this.store.list<{ size: number }>('volume_snapshot');
    const byProject = new Map<string, { volumes: number; gb: number; snaps: number }>();
    for (const v of volumes) {
      const p = byProject.get(v.projectId) ?? { volumes: 0, gb: 0, snaps: 0 };
      p.volumes += 1;
      p.gb += v.data.size;
      byProject.set(v.projectId, p);
    }
    for (const s of snaps) {
      const p = byProject.get(s.projectId) ?? { volumes: 0, gb: 0, snaps: 0 };
      p.snaps += 1;
      byProject.set(s.projectId, p);
    }
    const total = { volumes: volumes.length, gb: volumes.reduce((a, v) => a + v.data.size, 0), snaps: snaps.length };
    const row = (project: string, x: { volumes: number; gb: number; snaps: number }) => ({
      resource: { host, project, volume_count: String(x.volumes), total_volume_gb: String(x.gb), total_snapshot_gb: '0', snapshot_count: String(x.snaps) },
    });
    return [row('(total)', total), ...[...byProject].map(([p, x]) => row(p, x))];
  }
}
