/**
 * Cinder v3 views: domain rows to the wire shapes clients parse, with the fields each microversion
 * adds and the admin-only ones. Pure functions; imports core types and the microversion helpers.
 */
import type { Backup } from '../../core/model/backup.js';
import type { Attachment, ConnectionInfo, QosSpec, Snapshot, UserMessage, Volume, VolumeType } from '../../core/model/volume.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import { BACKEND_HOST, cinderTime } from '../../core/volume/common.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';

export interface ViewContext {
  /** `http://host:port/volume/v3/<project>`: the base of self links. */
  base: string;
  bookmarkBase: string;
  version: string;
  isAdmin: boolean;
  /** Volume type names by id. */
  typeNames: ReadonlyMap<string, string>;
  /** Live attachments by volume id (attached ones make the volume's `attachments`). */
  attachments: ReadonlyMap<string, StoredResource<Attachment>[]>;
}

const links = (vc: ViewContext, collection: string, id: string) => [
  { rel: 'self', href: `${vc.base}/${collection}/${id}` },
  { rel: 'bookmark', href: `${vc.bookmarkBase}/${collection}/${id}` },
];

/**
 * `extended`: the attributes Cinder's API extensions add to GET responses only (tenant, host,
 * migration status, image metadata); create and update answers go without them.
 */
export function volumeView(vc: ViewContext, r: StoredResource<Volume>, extended = true): Record<string, unknown> {
  const v = r.data;
  const atts = (vc.attachments.get(r.id) ?? []).filter((a) => a.data.status === 'attached');
  const out: Record<string, unknown> = {
    id: r.id,
    name: v.name,
    description: v.description,
    status: v.status,
    size: v.size,
    availability_zone: v.availabilityZone,
    created_at: cinderTime(r.createdAt),
    updated_at: cinderTime(r.updatedAt),
    attachments: atts.map((a) => ({
      id: r.id, attachment_id: a.id, volume_id: r.id, server_id: a.data.instanceUuid, host_name: a.data.hostName,
      device: a.data.mountpoint, attached_at: cinderTime(a.data.attachedAt),
    })),
    bootable: v.bootable ? 'true' : 'false',
    encrypted: false,
    links: links(vc, 'volumes', r.id),
    metadata: { ...v.metadata, ...(v.readonly || v.readonlySet ? { readonly: v.readonly ? 'True' : 'False' } : {}), ...(v.attachStatus !== 'detached' ? { attached_mode: atts[0]?.data.attachMode ?? 'rw' } : {}) },
    multiattach: v.multiattach,
    replication_status: null,
    snapshot_id: v.snapshotId,
    source_volid: v.sourceVolId,
    user_id: v.userId,
    volume_type: vc.typeNames.get(v.volumeTypeId) ?? null,
    consistencygroup_id: null,
  };
  if (extended) out['os-vol-tenant-attr:tenant_id'] = r.projectId;
  if (extended && Object.keys(v.imageMetadata).length) out['volume_image_metadata'] = v.imageMetadata;
  if (extended && vc.isAdmin) {
    out['os-vol-host-attr:host'] = BACKEND_HOST;
    out['os-vol-mig-status-attr:migstat'] = v.migrationStatus;
    out['os-vol-mig-status-attr:name_id'] = null;
    out['migration_status'] = v.migrationStatus;
  }
  const at = (ver: string) => atLeast(vc.version, ver);
  if (at(mv.GROUP_VOLUME)) out['group_id'] = v.groupId ?? null;
  if (at(mv.VOLUME_DETAIL_PROVIDER_ID) && vc.isAdmin) out['provider_id'] = null;
  if (at(mv.VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS)) {
    out['service_uuid'] = 'c4a5f3a2-6a4b-4b5e-9c1d-7a0f5e0e0c01';
    out['shared_targets'] = false;
  }
  if (at(mv.VOLUME_CLUSTER_NAME) && vc.isAdmin) out['cluster_name'] = null;
  if (at(mv.VOLUME_TYPE_ID_IN_VOLUME_DETAIL)) out['volume_type_id'] = v.volumeTypeId;
  if (at(mv.ENCRYPTION_KEY_ID_IN_DETAILS)) out['encryption_key_id'] = null;
  if (at(mv.USE_QUOTA)) out['consumes_quota'] = true;
  return out;
}

export function volumeSummary(vc: ViewContext, r: StoredResource<Volume>): Record<string, unknown> {
  return { id: r.id, name: r.data.name, links: links(vc, 'volumes', r.id) };
}

/** `extended`: the os-extended-snapshot-attributes fields, which Cinder adds to show and detail only. */
export function snapshotView(vc: ViewContext, r: StoredResource<Snapshot>, extended = true): Record<string, unknown> {
  const s = r.data;
  const out: Record<string, unknown> = {
    id: r.id,
    created_at: cinderTime(r.createdAt),
    updated_at: cinderTime(r.updatedAt),
    name: s.name,
    description: s.description,
    volume_id: s.volumeId,
    status: s.status,
    size: s.size,
    metadata: s.metadata,
  };
  if (extended) {
    out['os-extended-snapshot-attributes:progress'] = s.progress;
    out['os-extended-snapshot-attributes:project_id'] = r.projectId;
  }
  if (atLeast(vc.version, mv.GROUP_SNAPSHOTS)) out['group_snapshot_id'] = s.groupSnapshotId ?? null;
  if (atLeast(vc.version, mv.SNAPSHOT_LIST_USER_ID)) out['user_id'] = s.userId;
  if (atLeast(vc.version, mv.USE_QUOTA)) out['consumes_quota'] = true;
  return out;
}

export function attachmentView(r: StoredResource<Attachment>, connectionInfo: ConnectionInfo | null): Record<string, unknown> {
  const a = r.data;
  return {
    id: r.id,
    status: a.status,
    instance: a.instanceUuid,
    volume_id: a.volumeId,
    attached_at: cinderTime(a.attachedAt),
    detached_at: cinderTime(a.detachedAt),
    attach_mode: a.attachMode,
    connection_info: connectionInfo ?? {},
    connector: a.connector ?? {},
  };
}

export function attachmentSummary(r: StoredResource<Attachment>): Record<string, unknown> {
  return { id: r.id, status: r.data.status, instance: r.data.instanceUuid, volume_id: r.data.volumeId };
}

/** Specs a non-admin may see (Cinder's user-visible extra specs). */
const USER_VISIBLE = new Set(['multiattach', 'RESKEY:availability_zones', 'replication_enabled']);

export function typeView(r: StoredResource<VolumeType>, isAdmin: boolean): Record<string, unknown> {
  const t = r.data;
  const specs = isAdmin ? t.extraSpecs : Object.fromEntries(Object.entries(t.extraSpecs).filter(([k]) => USER_VISIBLE.has(k)));
  const out: Record<string, unknown> = {
    id: r.id,
    name: t.name,
    description: t.description,
    is_public: t.isPublic,
    'os-volume-type-access:is_public': t.isPublic,
    extra_specs: specs,
  };
  return out;
}

export function qosView(base: string, r: StoredResource<QosSpec>): Record<string, unknown> {
  return { id: r.id, name: r.data.name, consumer: r.data.consumer, specs: r.data.specs };
}

export function qosLinks(base: string, id: string): Array<{ rel: string; href: string }> {
  return [{ rel: 'self', href: `${base}/qos-specs/${id}` }, { rel: 'bookmark', href: `${base}/qos-specs/${id}` }];
}

export function messageView(base: string, r: StoredResource<UserMessage>): Record<string, unknown> {
  const m = r.data;
  return {
    id: r.id,
    message_level: m.level,
    user_message: m.userMessage,
    event_id: m.eventId,
    created_at: cinderTime(r.createdAt),
    guaranteed_until: cinderTime(m.expiresAt),
    request_id: m.requestId,
    resource_type: m.resourceType,
    resource_uuid: m.resourceId,
    links: [{ rel: 'self', href: `${base}/messages/${r.id}` }],
  };
}

/** A backup as show and list/detail render it; `dependents`: another backup builds on this one. */
export function backupView(vc: ViewContext, r: StoredResource<Backup>, dependents: boolean): Record<string, unknown> {
  const b = r.data;
  const out: Record<string, unknown> = {
    id: r.id,
    name: b.name,
    description: b.description,
    status: b.status,
    size: b.size,
    object_count: b.objectCount,
    container: b.container,
    availability_zone: b.availabilityZone,
    volume_id: b.volumeId,
    snapshot_id: b.snapshotId,
    is_incremental: b.isIncremental,
    has_dependent_backups: dependents,
    fail_reason: b.failReason,
    data_timestamp: cinderTime(b.dataTimestamp),
    created_at: cinderTime(r.createdAt),
    updated_at: cinderTime(r.updatedAt),
    links: links(vc, 'backups', r.id),
  };
  const at = (ver: string) => atLeast(vc.version, ver);
  if (at(mv.BACKUP_PROJECT) && vc.isAdmin) out['os-backup-project-attr:project_id'] = r.projectId;
  if (at(mv.BACKUP_PROJECT_USER_ID)) out['user_id'] = b.userId;
  if (at(mv.BACKUP_METADATA)) out['metadata'] = b.metadata;
  if (at(mv.ENCRYPTION_KEY_ID_IN_DETAILS)) out['encryption_key_id'] = null;
  return out;
}

export function backupSummary(vc: ViewContext, r: StoredResource<Backup>): Record<string, unknown> {
  return { id: r.id, links: links(vc, 'backups', r.id), name: r.data.name };
}
