/**
 * The floating IP resource (L3 core plus description, dns and standard attrs). Imports api/http only.
 */
import type { FloatingIp } from '../../../core/model/network.js';
import { defineResource, validators } from '../../http/resource-table/index.js';
import { descriptionField, idField, standardFields } from './common.js';

export const floatingIpTable = defineResource<FloatingIp>({
  name: 'floatingip',
  collection: 'floatingips',
  fields: {
    id: idField,
    floating_ip_address: { type: 'string', allowCreate: true, required: false, validate: validators.ipAddress },
    floating_network_id: { type: 'string', allowCreate: true, validate: validators.uuid },
    subnet_id: { type: 'string', allowCreate: true, required: false, visible: false, validate: validators.uuid },
    router_id: { type: 'string' },
    port_id: { type: 'string', allowCreate: true, allowUpdate: true, required: false, nullable: true, validate: validators.uuid },
    fixed_ip_address: { type: 'string', allowCreate: true, allowUpdate: true, required: false, nullable: true, validate: validators.ipAddress },
    status: { type: 'string' },
    description: descriptionField,
    dns_name: { type: 'string', allowCreate: true, required: false },
    dns_domain: { type: 'string', allowCreate: true, required: false },
    port_details: { type: 'dict', get: () => null, filterable: false },
    qos_policy_id: { type: 'string', get: () => null },
    port_forwardings: { type: 'list', get: () => [], filterable: false },
    ...standardFields,
  },
});
