/**
 * The network resource as Neutron declares it (core attributes plus provider, external,
 * port-security, mtu, availability-zone, dns and standard-attr extensions). Imports api/http only.
 */
import type { NetworkView } from '../../../core/network/service/index.js';
import { defineResource, validators } from '../../http/resource-table/index.js';
import { adminStateField, descriptionField, idField, nameField, standardFields } from './common.js';

const listMatch = (v: unknown, wanted: readonly unknown[]) => Array.isArray(v) && wanted.every((w) => v.includes(String(w)));

export const networkTable = defineResource<NetworkView>({
  name: 'network',
  collection: 'networks',
  fields: {
    id: idField,
    name: nameField,
    description: descriptionField,
    admin_state_up: adminStateField,
    status: { type: 'string' },
    subnets: { type: 'list', filterable: true, match: listMatch },
    shared: { type: 'boolean', allowCreate: true, allowUpdate: true, default: false },
    'router:external': { type: 'boolean', allowCreate: true, allowUpdate: true, default: false, source: 'external' },
    mtu: { type: 'integer', allowCreate: true, allowUpdate: true, required: false, validate: validators.range(0) },
    port_security_enabled: { type: 'boolean', allowCreate: true, allowUpdate: true, default: true },
    'provider:network_type': { type: 'string', allowCreate: true, required: false, adminOnly: true, get: (n) => n.segment.networkType, validate: validators.string(255) },
    'provider:physical_network': { type: 'string', allowCreate: true, required: false, nullable: true, adminOnly: true, get: (n) => n.segment.physicalNetwork, validate: validators.string(64) },
    'provider:segmentation_id': { type: 'integer', allowCreate: true, required: false, nullable: true, adminOnly: true, get: (n) => n.segment.segmentationId },
    availability_zone_hints: { type: 'list', allowCreate: true, required: false, validate: validators.listOf(validators.string(255)), filterable: false },
    availability_zones: { type: 'list', get: () => ['nova'], filterable: false },
    ipv4_address_scope: { type: 'string', get: () => null },
    ipv6_address_scope: { type: 'string', get: () => null },
    l2_adjacency: { type: 'boolean', get: () => true },
    dns_domain: { type: 'string', allowCreate: true, allowUpdate: true, required: false, validate: validators.string(255) },
    is_default: { type: 'boolean', allowCreate: true, allowUpdate: true, required: false, source: 'isDefault' },
    ...standardFields,
  },
});
