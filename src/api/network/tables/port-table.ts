/**
 * The port resource (core attributes, port security, security groups, address pairs, extra DHCP
 * options, bindings for admins, dns, standard attrs). Imports api/http only.
 */
import type { Port } from '../../../core/model/network.js';
import { defineResource, validators } from '../../http/resource-table/index.js';
import { adminStateField, bad, descriptionField, fixedIpsConvert, fixedIpsView, idField, listOfDicts, nameField, standardFields, str } from './common.js';

const pairsConvert = listOfDicts('allowed_address_pairs', { required: ['ip_address'], optional: ['mac_address'] }, (d) => {
  const out: { ipAddress: string; macAddress?: string } = { ipAddress: str('allowed_address_pairs', d['ip_address']) };
  if (d['mac_address'] !== undefined && d['mac_address'] !== null) {
    const r = validators.macAddress(d['mac_address']);
    if (r) throw bad('allowed_address_pairs', r);
    out.macAddress = d['mac_address'] as string;
  }
  return out;
});

const dhcpOptsConvert = listOfDicts('extra_dhcp_opts', { required: ['opt_name', 'opt_value'], optional: ['ip_version'] }, (d) => ({
  optName: str('extra_dhcp_opts', d['opt_name']),
  optValue: d['opt_value'] === null ? null : String(d['opt_value']),
  ipVersion: d['ip_version'] === undefined ? 4 : Number(d['ip_version']),
}));

const matchFixedIps = (v: unknown, wanted: readonly unknown[]) =>
  Array.isArray(v) &&
  wanted.some((w) => {
    const text = String(w);
    const [k, val] = text.includes('=') ? text.split('=', 2) : ['ip_address', text];
    return v.some((f: Record<string, string>) => f[k!] === val || (k === 'ip_address_substr' && f['ip_address']?.includes(val!)));
  });

export const portTable = defineResource<Port>({
  name: 'port',
  collection: 'ports',
  fields: {
    id: idField,
    name: nameField,
    description: descriptionField,
    network_id: { type: 'string', allowCreate: true, validate: validators.uuid },
    admin_state_up: adminStateField,
    mac_address: { type: 'string', allowCreate: true, allowUpdate: true, required: false, validate: validators.macAddress },
    fixed_ips: { type: 'list', allowCreate: true, allowUpdate: true, required: false, convert: fixedIpsConvert, get: (p) => fixedIpsView(p.fixedIps), filterable: true, match: matchFixedIps },
    device_id: { type: 'string', allowCreate: true, allowUpdate: true, default: '', validate: validators.string(255) },
    device_owner: { type: 'string', allowCreate: true, allowUpdate: true, default: '', validate: validators.string(255) },
    status: { type: 'string' },
    security_groups: { type: 'list', allowCreate: true, allowUpdate: true, required: false, convert: (v) => (v === null ? [] : v), validate: validators.listOf(validators.uuid, { unique: true }), filterable: true },
    port_security_enabled: { type: 'boolean', allowCreate: true, allowUpdate: true, required: false },
    allowed_address_pairs: {
      type: 'list',
      allowCreate: true,
      allowUpdate: true,
      required: false,
      convert: pairsConvert,
      get: (p) => p.allowedAddressPairs.map((a) => ({ ip_address: a.ipAddress, mac_address: a.macAddress })),
      filterable: false,
    },
    extra_dhcp_opts: {
      type: 'list',
      allowCreate: true,
      allowUpdate: true,
      required: false,
      convert: dhcpOptsConvert,
      get: (p) => p.extraDhcpOpts.map((o) => ({ opt_name: o.optName, opt_value: o.optValue, ip_version: o.ipVersion })),
      filterable: false,
    },
    'binding:host_id': { type: 'string', allowCreate: true, allowUpdate: true, required: false, adminOnly: true, source: 'bindingHostId' },
    'binding:vnic_type': { type: 'string', allowCreate: true, allowUpdate: true, required: false, source: 'bindingVnicType', validate: validators.oneOf(['normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'remote-managed']) },
    'binding:vif_type': { type: 'string', adminOnly: true, source: 'bindingVifType' },
    'binding:vif_details': { type: 'dict', adminOnly: true, source: 'bindingVifDetails' },
    'binding:profile': { type: 'dict', allowCreate: true, allowUpdate: true, required: false, adminOnly: true, source: 'bindingProfile', convert: (v) => (v === null ? {} : v) },
    dns_name: { type: 'string', allowCreate: true, allowUpdate: true, required: false, validate: validators.string(255) },
    dns_assignment: { type: 'list', get: () => [], filterable: false },
    propagate_uplink_status: { type: 'boolean', allowCreate: true, allowUpdate: true, required: false },
    ip_allocation: { type: 'string', get: () => 'immediate' },
    ...standardFields,
  },
});
