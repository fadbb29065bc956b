/**
 * Attribute declarations every Neutron resource shares (id, name, description, project/tenant,
 * standard attributes, tags) and the converters for nested wire values (lists of dicts in
 * snake_case) into the domain's camelCase shapes, worded like neutron-lib's validators.
 * Imports core and api/http only.
 */
import { InvalidInput } from '../../../core/errors.js';
import { type FieldSpec, validators } from '../../http/resource-table/index.js';
import { pyStr } from '../../http/resource-table/validator.js';

export function bad(attr: string, reason: string): InvalidInput {
  return new InvalidInput(`Invalid input for ${attr}. Reason: ${reason}.`, 'HTTPBadRequest');
}

export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Converts a list of dicts, checking allowed and required keys, then mapping each entry. */
export function listOfDicts<T>(attr: string, keys: { required: string[]; optional: string[] }, map: (d: Record<string, unknown>) => T) {
  return (v: unknown): T[] => {
    if (v === null) return [];
    if (!Array.isArray(v)) throw bad(attr, `'${pyStr(v)}' is not a list`);
    return v.map((d) => {
      if (!isDict(d)) throw bad(attr, `'${pyStr(d)}' is not a dictionary`);
      for (const k of Object.keys(d)) {
        if (!keys.required.includes(k) && !keys.optional.includes(k)) throw bad(attr, `Unrecognized key '${k}' in '${pyStr(d)}'`);
      }
      for (const k of keys.required) if (d[k] === undefined) throw bad(attr, `Validation of dictionary's keys failed. Expected keys: {'${keys.required.join("', '")}'} Provided keys: {'${Object.keys(d).join("', '")}'}`);
      return map(d);
    });
  };
}

export function str(attr: string, v: unknown): string {
  if (typeof v !== 'string') throw bad(attr, `'${pyStr(v)}' is not a valid string`);
  return v;
}

export const standardFields: Record<string, FieldSpec> = {
  tenant_id: { type: 'string', allowCreate: true, required: false, get: (e: { projectId: string }) => e.projectId, validate: validators.string(255), source: 'tenantId' },
  project_id: { type: 'string', allowCreate: true, required: false, get: (e: { projectId: string }) => e.projectId, validate: validators.string(255), source: 'projectId' },
  tags: { type: 'list', get: (e: { tags?: string[] }) => e.tags ?? [], filterable: false },
  created_at: { type: 'string' },
  updated_at: { type: 'string' },
  revision_number: { type: 'integer' },
};

export const idField: FieldSpec = { type: 'string' };
export const nameField: FieldSpec = { type: 'string', allowCreate: true, allowUpdate: true, default: '', validate: validators.string(255) };
export const descriptionField: FieldSpec = { type: 'string', allowCreate: true, allowUpdate: true, default: '', validate: validators.string(255) };
export const adminStateField: FieldSpec = { type: 'boolean', allowCreate: true, allowUpdate: true, default: true };

export const fixedIpsConvert = listOfDicts('fixed_ips', { required: [], optional: ['subnet_id', 'ip_address'] }, (d) => {
  const out: { subnetId?: string; ipAddress?: string } = {};
  if (d['subnet_id'] !== undefined) {
    const r = validators.uuid(d['subnet_id']);
    if (r) throw bad('fixed_ips', r);
    out.subnetId = d['subnet_id'] as string;
  }
  if (d['ip_address'] !== undefined) {
    const r = validators.ipAddress(d['ip_address']);
    if (r) throw bad('fixed_ips', r);
    out.ipAddress = d['ip_address'] as string;
  }
  return out;
});

/** Domain `{subnetId, ipAddress}` -> wire. */
export const fixedIpsView = (list: Array<{ subnetId: string; ipAddress: string }>) => list.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress }));

export const hostRoutesConvert = (attr: string) =>
  listOfDicts(attr, { required: ['destination', 'nexthop'], optional: [] }, (d) => ({ destination: str(attr, d['destination']), nexthop: str(attr, d['nexthop']) }));

/** A uuid list (security_groups, availability zone hints are strings). */
export const uuidList = validators.listOf(validators.uuid);
