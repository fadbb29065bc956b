/**
 * Security groups and their rules. Imports api/http only.
 */
import type { SecurityGroupRule } from '../../../core/model/network.js';
import type { SecurityGroupView } from '../../../core/network/service/index.js';
import { defineResource, renderView, validators } from '../../http/resource-table/index.js';
import { descriptionField, idField, nameField, standardFields } from './common.js';

const anyValue = (v: unknown) => v;

export const securityGroupRuleTable = defineResource<SecurityGroupRule>({
  name: 'security_group_rule',
  collection: 'security_group_rules',
  fields: {
    id: idField,
    // Any string: Neutron answers a malformed group id with the group's 404, not a 400.
    security_group_id: { type: 'string', allowCreate: true },
    direction: { type: 'string', allowCreate: true, validate: validators.oneOf(['ingress', 'egress']) },
    ethertype: { type: 'string', allowCreate: true, required: false, convert: anyValue },
    protocol: { type: 'string', allowCreate: true, required: false, nullable: true, convert: anyValue },
    port_range_min: { type: 'integer', allowCreate: true, required: false, nullable: true, convert: anyValue },
    port_range_max: { type: 'integer', allowCreate: true, required: false, nullable: true, convert: anyValue },
    remote_ip_prefix: { type: 'string', allowCreate: true, required: false, nullable: true, convert: anyValue },
    remote_group_id: { type: 'string', allowCreate: true, required: false, nullable: true },
    remote_address_group_id: { type: 'string', allowCreate: true, required: false, nullable: true, validate: validators.uuid },
    normalized_cidr: { type: 'string', get: (r) => r.remoteIpPrefix },
    description: descriptionField,
    belongs_to_default_sg: { type: 'boolean', get: () => null, filterable: false },
    ...standardFields,
    tags: { type: 'list', visible: false },
  },
});

export const securityGroupTable = defineResource<SecurityGroupView>({
  name: 'security_group',
  collection: 'security_groups',
  fields: {
    id: idField,
    name: nameField,
    description: descriptionField,
    stateful: { type: 'boolean', allowCreate: true, allowUpdate: true, default: true },
    shared: { type: 'boolean', get: () => false },
    security_group_rules: {
      type: 'list',
      get: (g, ctx) => g.rules.map((r) => renderView(securityGroupRuleTable, r, ctx)),
      filterable: false,
    },
    ...standardFields,
  },
});
