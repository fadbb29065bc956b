/**
 * The subnet resource (core attributes, IPv6 modes, subnet pools, service types, standard attrs).
 * Imports api/http only.
 */
import type { Subnet } from '../../../core/model/network.js';
import { defineResource, validators } from '../../http/resource-table/index.js';
import { bad, descriptionField, hostRoutesConvert, idField, listOfDicts, nameField, standardFields, str } from './common.js';

const poolsConvert = listOfDicts('allocation_pools', { required: ['start', 'end'], optional: [] }, (d) => ({
  start: str('allocation_pools', d['start']),
  end: str('allocation_pools', d['end']),
}));

const nameservers = (v: unknown) => {
  if (v === null) return [];
  if (!Array.isArray(v)) throw bad('dns_nameservers', `'${String(v)}' is not a list`);
  return v;
};

const ipv6Mode = validators.oneOf(['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac']);

export const subnetTable = defineResource<Subnet>({
  name: 'subnet',
  collection: 'subnets',
  fields: {
    id: idField,
    name: nameField,
    description: descriptionField,
    network_id: { type: 'string', allowCreate: true, validate: validators.uuid },
    ip_version: { type: 'integer', allowCreate: true, validate: validators.oneOf([4, 6]) },
    cidr: { type: 'string', allowCreate: true, required: false, validate: validators.string() },
    prefixlen: { type: 'integer', allowCreate: true, required: false, visible: false },
    use_default_subnetpool: { type: 'boolean', allowCreate: true, required: false, visible: false },
    gateway_ip: { type: 'string', allowCreate: true, allowUpdate: true, required: false, nullable: true, validate: validators.ipAddress },
    allocation_pools: { type: 'list', allowCreate: true, allowUpdate: true, required: false, convert: poolsConvert, filterable: false },
    dns_nameservers: { type: 'list', allowCreate: true, allowUpdate: true, required: false, convert: nameservers, filterable: false },
    host_routes: { type: 'list', allowCreate: true, allowUpdate: true, required: false, convert: hostRoutesConvert('host_routes'), filterable: false },
    enable_dhcp: { type: 'boolean', allowCreate: true, allowUpdate: true, default: true },
    ipv6_ra_mode: { type: 'string', allowCreate: true, required: false, nullable: true, validate: ipv6Mode },
    ipv6_address_mode: { type: 'string', allowCreate: true, required: false, nullable: true, validate: ipv6Mode },
    subnetpool_id: { type: 'string', allowCreate: true, required: false, nullable: true, validate: validators.uuid },
    segment_id: { type: 'string', allowCreate: true, required: false, nullable: true, get: () => null },
    service_types: { type: 'list', allowCreate: true, allowUpdate: true, required: false, filterable: false },
    dns_publish_fixed_ip: { type: 'boolean', allowCreate: true, allowUpdate: true, required: false },
    ...standardFields,
  },
});
