/**
 * What every block storage use case shares: the store kinds, the policy table, Cinder-worded errors
 * and project-scoped loading (another project's volume is "not found", never "forbidden").
 * Pure: imports only core.
 */
import { Forbidden, InvalidInput, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import { anyOf, rules, type PolicyTable } from '../identity/policy.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';

export const KIND = {
  volume: 'volume',
  snapshot: 'volume_snapshot',
  attachment: 'volume_attachment',
  type: 'volume_type',
  qos: 'volume_qos',
  quota: 'volume_quota',
  message: 'volume_message',
  operation: 'volume_operation',
  defaultType: 'volume_default_type',
  transfer: 'volume_transfer',
  encryption: 'volume_type_encryption',
  groupType: 'volume_group_type',
  group: 'volume_group',
  groupSnapshot: 'volume_group_snapshot',
  backup: 'volume_backup',
} as const;

export const DEFAULT_TYPE_NAME = '__DEFAULT__';
export const AVAILABILITY_ZONE = 'nova';
export const BACKEND_HOST = 'pocketstack@local#local';

const reader = anyOf(rules.admin, rules.projectReader);
const member = anyOf(rules.admin, rules.projectMember);
const admin = rules.admin;
const anyone = rules.authenticated;

/** One rule per action (Cinder's policy names); readers read, members write, admin does all. */
export const volumePolicy: PolicyTable = {
  'volume:get': reader,
  'volume:get_all': anyone,
  'volume:create': member,
  'volume:update': member,
  'volume:delete': member,
  'volume:force_delete': admin,
  'volume:reset_status': admin,
  'volume:force_detach': admin,
  'volume:action': member,
  'volume:all_tenants': admin,
  'volume:admin_fields': admin,
  'snapshot:get': reader,
  'snapshot:create': member,
  'snapshot:update': member,
  'snapshot:delete': member,
  'snapshot:force_delete': admin,
  'snapshot:reset_status': admin,
  'snapshot:update_status': member,
  'attachment:get': reader,
  'attachment:write': member,
  'type:read': anyone,
  'type:manage': admin,
  'qos:manage': admin,
  'quota:show': anyOf(rules.admin, rules.projectReader),
  'quota:update': admin,
  'message:get': reader,
  'message:delete': member,
  'service:read': admin,
  'default_type:manage': admin,
  'transfer:create': member,
  'transfer:get': reader,
  'transfer:delete': member,
  /** Any member of the receiving project may accept: the auth key is the credential. */
  'transfer:accept': member,
  'encryption:manage': admin,
  'group_type:read': anyone,
  'group_type:manage': admin,
  'group:get': reader,
  'group:write': member,
  'group:reset_status': admin,
  'backup:get': reader,
  'backup:get_all': anyone,
  'backup:create': member,
  'backup:update': member,
  'backup:delete': member,
  'backup:restore': member,
  'backup:reset_status': admin,
  'backup:force_delete': admin,
  'backup:export_import': admin,
  /** os-backup-project-attr:project_id (3.18) is shown to admins only, as Cinder's default policy does. */
  'backup:project_attribute': admin,
};

/** Cinder's wording: "Policy doesn't allow volume:create to be performed." */
export function authorizeVolume(ctx: RequestContext, action: string, projectId?: string | null): void {
  const rule = volumePolicy[action];
  if (!rule) throw new Error(`no policy rule for ${action}`);
  if (!rule(ctx, { projectId: projectId ?? ctx.projectId })) {
    throw new Forbidden(`Policy doesn't allow ${action} to be performed.`, 'PolicyNotAuthorized');
  }
}

export function isAdmin(ctx: RequestContext): boolean {
  return ctx.isAdmin;
}

export const volumeNotFound = (id: string) => new NotFound(`Volume ${id} could not be found.`, 'VolumeNotFound');
export const snapshotNotFound = (id: string) => new NotFound(`Snapshot ${id} could not be found.`, 'SnapshotNotFound');
export const attachmentNotFound = (id: string) => new NotFound(`Volume attachment could not be found with filter: attachment_id = ${id}.`, 'VolumeAttachmentNotFound');
export const typeNotFound = (id: string) => new NotFound(`Volume type ${id} could not be found.`, 'VolumeTypeNotFound');
export const qosNotFound = (id: string) => new NotFound(`QoS Specs ${id} could not be found.`, 'QoSSpecsNotFound');
export const groupNotFound = (id: string) => new NotFound(`Group ${id} could not be found.`, 'GroupNotFound');
export const groupTypeNotFound = (id: string) => new NotFound(`Group type ${id} could not be found.`, 'GroupTypeNotFound');
export const groupSnapshotNotFound = (id: string) => new NotFound(`GroupSnapshot ${id} could not be found.`, 'GroupSnapshotNotFound');
export const backupNotFound = (id: string) => new NotFound(`Backup ${id} could not be found.`, 'BackupNotFound');
export const invalidBackup = (reason: string) => new InvalidInput(`Invalid backup: ${reason}`, 'InvalidBackup');
export const invalidVolume = (reason: string) => new InvalidInput(`Invalid volume: ${reason}`, 'InvalidVolume');
export const invalidSnapshot = (reason: string) => new InvalidInput(`Invalid snapshot: ${reason}`, 'InvalidSnapshot');
export const invalidInput = (reason: string) => new InvalidInput(`Invalid input received: ${reason}`, 'InvalidInput');
export const badRequest = (message: string) => new InvalidInput(message, 'HTTPBadRequest');

/** Loads a project-owned row the caller may see: its own project's, or any for an admin. */
export async function loadScoped<T>(tx: ResourceTx, ctx: RequestContext, kind: string, id: string, notFound: (id: string) => Error): Promise<StoredResource<T>> {
  const row = await tx.get<T>(kind, id);
  if (!row || (!ctx.isAdmin && row.projectId !== ctx.projectId)) throw notFound(id);
  return row;
}

/** Metadata as Cinder validates it: a dict of string keys (1-255) to string values (0-255). */
export function validateMetadata(value: unknown, what = 'metadata'): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid ${what}: must be a dictionary.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.length === 0 || k.length > 255) throw badRequest(`Invalid ${what}: key length must be between 1 and 255.`);
    if (typeof v !== 'string') throw badRequest(`Invalid ${what}: value for ${k} must be a string.`);
    if (v.length > 255) throw badRequest(`Invalid ${what}: value for ${k} is longer than 255 characters.`);
    out[k] = v;
  }
  return out;
}

/** Cinder's ISO timestamps with microseconds (`2024-01-01T00:00:00.000000`). */
export function cinderTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  return iso.replace(/Z$/, '').replace(/\.(\d{3})$/, '.$1000').replace(/T(\d\d:\d\d:\d\d)$/, 'T$1.000000');
}

export function isoNow(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
