/**
 * Subnet pools and RBAC policies. Imports api/http only.
 */
import type { RbacPolicy, SubnetPool } from '../../../core/model/network.js';
import { defineResource, validators } from '../../http/resource-table/index.js';
import { descriptionField, idField, nameField, standardFields } from './common.js';

const prefixLen = { type: 'integer' as const, allowCreate: true, allowUpdate: true, required: false, nullable: true };
// Neutron shows a pool's prefix lengths as strings (`_make_subnetpool_dict` applies str()).
const asText = (v: number | null | undefined) => (v === null || v === undefined ? null : String(v));

export const subnetPoolTable = defineResource<SubnetPool>({
  name: 'subnetpool',
  collection: 'subnetpools',
  fields: {
    id: idField,
    name: nameField,
    description: descriptionField,
    prefixes: { type: 'list', allowCreate: true, allowUpdate: true, validate: validators.listOf(validators.string()), filterable: false },
    default_prefixlen: { ...prefixLen, source: 'defaultPrefixlen', get: (p) => asText(p.defaultPrefixlen) },
    min_prefixlen: { ...prefixLen, source: 'minPrefixlen', get: (p) => asText(p.minPrefixlen) },
    max_prefixlen: { ...prefixLen, source: 'maxPrefixlen', get: (p) => asText(p.maxPrefixlen) },
    ip_version: { type: 'integer' },
    is_default: { type: 'boolean', allowCreate: true, allowUpdate: true, default: false },
    shared: { type: 'boolean', allowCreate: true, default: false },
    address_scope_id: { type: 'string', allowCreate: true, allowUpdate: true, required: false, nullable: true },
    default_quota: { type: 'integer', allowCreate: true, allowUpdate: true, required: false, nullable: true },
    ...standardFields,
  },
});

export const rbacPolicyTable = defineResource<RbacPolicy>({
  name: 'rbac_policy',
  collection: 'rbac_policies',
  fields: {
    id: idField,
    object_type: { type: 'string', allowCreate: true, validate: validators.string(255) },
    object_id: { type: 'string', allowCreate: true, validate: validators.uuid },
    action: { type: 'string', allowCreate: true, validate: validators.string(255) },
    target_tenant: { type: 'string', allowCreate: true, allowUpdate: true, validate: validators.string(255) },
    tenant_id: standardFields['tenant_id']!,
    project_id: standardFields['project_id']!,
  },
});
