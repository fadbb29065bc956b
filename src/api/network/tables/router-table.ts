/**
 * The router resource (core L3, extra routes, DVR/HA flags for admins, availability zones,
 * standard attrs). Imports api/http only.
 */
import type { Router } from '../../../core/model/network.js';
import { defineResource, validators } from '../../http/resource-table/index.js';
import { adminStateField, bad, descriptionField, fixedIpsConvert, fixedIpsView, hostRoutesConvert, idField, isDict, nameField, standardFields } from './common.js';

/** external_gateway_info: {network_id, enable_snat?, external_fixed_ips?} or null / {} (clear). */
export function gatewayConvert(v: unknown): unknown {
  if (v === null) return null;
  if (!isDict(v)) throw bad('external_gateway_info', `'${String(v)}' is not a dictionary`);
  if (Object.keys(v).length === 0) return null;
  for (const k of Object.keys(v)) {
    if (!['network_id', 'enable_snat', 'external_fixed_ips', 'qos_policy_id'].includes(k)) {
      throw bad('external_gateway_info', `Unrecognized key '${k}'`);
    }
  }
  const net = validators.uuid(v['network_id']);
  if (net) throw bad('external_gateway_info', net);
  const out: { networkId: string; enableSnat?: boolean; externalFixedIps?: unknown } = { networkId: v['network_id'] as string };
  if (v['enable_snat'] !== undefined) {
    if (typeof v['enable_snat'] !== 'boolean') throw bad('external_gateway_info', `'${String(v['enable_snat'])}' is not a valid boolean value`);
    out.enableSnat = v['enable_snat'];
  }
  if (v['external_fixed_ips'] !== undefined) out.externalFixedIps = fixedIpsConvert(v['external_fixed_ips']);
  return out;
}

export const routerTable = defineResource<Router>({
  name: 'router',
  collection: 'routers',
  fields: {
    id: idField,
    name: nameField,
    description: descriptionField,
    admin_state_up: adminStateField,
    status: { type: 'string' },
    external_gateway_info: {
      type: 'dict',
      allowCreate: true,
      allowUpdate: true,
      required: false,
      nullable: true,
      convert: gatewayConvert,
      get: (r) =>
        r.externalGatewayInfo && {
          network_id: r.externalGatewayInfo.networkId,
          enable_snat: r.externalGatewayInfo.enableSnat,
          external_fixed_ips: fixedIpsView(r.externalGatewayInfo.externalFixedIps),
        },
      filterable: false,
    },
    routes: { type: 'list', allowUpdate: true, convert: hostRoutesConvert('routes'), filterable: false },
    distributed: { type: 'boolean', allowCreate: true, allowUpdate: true, required: false, adminOnly: true },
    ha: { type: 'boolean', allowCreate: true, allowUpdate: true, required: false, adminOnly: true },
    availability_zone_hints: { type: 'list', allowCreate: true, required: false, filterable: false },
    availability_zones: { type: 'list', get: () => ['nova'], filterable: false },
    flavor_id: { type: 'string', get: () => null },
    ...standardFields,
  },
});
