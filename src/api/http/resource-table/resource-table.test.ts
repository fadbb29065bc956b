import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Forbidden, InvalidInput } from '../../../core/errors.js';
import { applyListQuery } from '../list-query/apply-list-query.js';
import { parseListQuery } from '../list-query/list-query.js';
import { renderView } from './render-view.js';
import { camelCase, defineResource, jsonSchema, listSchema } from './resource-table.js';
import { toDomain, validateCreate, validateCreateMany, validateUpdate } from './validate-body.js';
import { oneOf, orNull, range, string, uuid } from './validator.js';

interface Network {
  id: string;
  name: string;
  projectId: string;
  adminStateUp: boolean;
  mtu: number;
  status: string;
  providerNetworkType: string | null;
  subnetIds: string[];
}

const network = defineResource<Network>({
  name: 'network',
  collection: 'networks',
  fields: {
    id: { type: 'string', validate: uuid },
    name: { type: 'string', allowCreate: true, allowUpdate: true, default: '', validate: string(255) },
    tenant_id: { type: 'string', allowCreate: true, default: undefined, source: 'projectId', required: false },
    admin_state_up: { type: 'boolean', allowCreate: true, allowUpdate: true, default: true },
    mtu: { type: 'integer', allowCreate: true, allowUpdate: true, default: 1500, validate: range(68, 9000) },
    status: { type: 'string' },
    'provider:network_type': {
      type: 'string',
      allowCreate: true,
      default: null,
      nullable: true,
      adminOnly: true,
      validate: oneOf(['flat', 'vlan', 'vxlan']),
    },
    qos_policy_id: { type: 'string', allowCreate: true, allowUpdate: true, default: null, nullable: true, validate: orNull(uuid) },
    subnets: { type: 'list', source: 'subnetIds' },
    secret: { type: 'string', visible: false },
    description_len: { type: 'integer', get: (n) => n.name.length, filterable: false, sortable: false },
  },
});

const member = { isAdmin: false };
const admin = { roles: ['admin', 'member'] };

function bad(fn: () => unknown, message: string, type = 'HTTPBadRequest') {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidInput, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.message, message);
    assert.equal(e.type, type);
    return true;
  });
}

test('defineResource resolves defaults: required, source, filterable/sortable for scalars', () => {
  const name = network.byWireName.get('name')!;
  assert.equal(name.required, false);
  assert.equal(name.filterable, true);
  assert.equal(network.byWireName.get('subnets')!.filterable, false);
  assert.equal(network.byWireName.get('provider:network_type')!.source, 'providerNetworkType');
  assert.equal(camelCase('admin_state_up'), 'adminStateUp');
  assert.throws(() =>
    defineResource({ name: 'x', collection: 'xs', fields: { a: { type: 'string', required: true, default: 'd', allowCreate: true } } }),
  );
  assert.throws(() => defineResource({ name: 'x', collection: 'xs', fields: { a: { type: 'string', required: true } } }));
  const withRequired = defineResource({ name: 'x', collection: 'xs', fields: { a: { type: 'string', allowCreate: true } } });
  assert.equal(withRequired.byWireName.get('a')!.required, true);
});

test('validateCreate fills defaults and converts types ("True", "1400")', () => {
  const attrs = validateCreate(network, { network: { name: 'n1', admin_state_up: 'False', mtu: '1400' } }, member);
  assert.deepEqual(attrs, {
    name: 'n1',
    tenant_id: undefined,
    admin_state_up: false,
    mtu: 1400,
    'provider:network_type': null,
    qos_policy_id: null,
  });
  assert.deepEqual(toDomain(network, attrs), {
    name: 'n1',
    projectId: undefined,
    adminStateUp: false,
    mtu: 1400,
    providerNetworkType: null,
    qosPolicyId: null,
  });
});

test('validateCreate: body shape errors in Neutron words', () => {
  bad(() => validateCreate(network, undefined, member), 'Resource body required');
  bad(() => validateCreate(network, {}, member), 'Resource body required');
  bad(() => validateCreate(network, 'x', member), 'Body contains invalid data');
  bad(() => validateCreate(network, { port: {} }, member), "Unable to find 'network' in request body");
  bad(() => validateCreate(network, { network: [1] }, member), "Object 'network' contains invalid data");
});

test('validateCreate: unrecognized, not allowed in POST, required', () => {
  bad(() => validateCreate(network, { network: { zz: 1, bogus: 2 } }, member), "Unrecognized attribute(s) 'bogus, zz'");
  bad(() => validateCreate(network, { network: { status: 'ACTIVE' } }, member), "Attribute 'status' not allowed in POST");
  bad(() => validateCreate(network, { network: { id: 'x' } }, member), "Attribute 'id' not allowed in POST");
  const strict = defineResource({ name: 'port', collection: 'ports', fields: { network_id: { type: 'string', allowCreate: true } } });
  bad(
    () => validateCreate(strict, { port: {} }, member),
    "Failed to parse request. Required attribute 'network_id' not specified",
  );
  const strict2 = defineResource({
    name: 'port',
    collection: 'ports',
    fields: { network_id: { type: 'string', allowCreate: true }, name: { type: 'string', allowCreate: true, default: '' } },
  });
  bad(
    () => validateCreate(strict2, { port: { name: 'p' } }, member),
    "Failed to parse request. Required attribute 'network_id' not specified",
  );
});

test('validateCreate: conversion failures are InvalidInput, validator failures name the attribute', () => {
  bad(
    () => validateCreate(network, { network: { admin_state_up: 'maybe' } }, member),
    "Invalid input for operation: 'maybe' cannot be converted to boolean.",
    'InvalidInput',
  );
  bad(
    () => validateCreate(network, { network: { mtu: 20 } }, member),
    "Invalid input for mtu. Reason: '20' is too small - must be at least '68'.",
  );
  bad(
    () => validateCreate(network, { network: { name: 'x'.repeat(256) } }, member),
    `Invalid input for name. Reason: '${'x'.repeat(256)}' exceeds maximum length of 255.`,
  );
  bad(() => validateCreate(network, { network: { name: 5 } }, member), "Invalid input for name. Reason: '5' is not a valid string.");
  bad(() => validateCreate(network, { network: { qos_policy_id: 'q' } }, member), "Invalid input for qos_policy_id. Reason: 'q' is not a valid UUID.");
  assert.equal(validateCreate(network, { network: { qos_policy_id: null } }, member)['qos_policy_id'], null);
});

test('admin-only attributes: 403 PolicyNotAuthorized for members, accepted for admins', () => {
  assert.throws(
    () => validateCreate(network, { network: { 'provider:network_type': 'vlan' } }, member),
    (e: unknown) =>
      e instanceof Forbidden &&
      e.type === 'PolicyNotAuthorized' &&
      e.message === '(rule:create_network:provider:network_type) is disallowed by policy',
  );
  assert.equal(validateCreate(network, { network: { 'provider:network_type': 'vlan' } }, admin)['provider:network_type'], 'vlan');
});

test('validateUpdate: only given attributes, read-only rejected in Neutron words', () => {
  assert.deepEqual(validateUpdate(network, { network: { name: 'r', admin_state_up: 'true' } }, member), {
    name: 'r',
    admin_state_up: true,
  });
  bad(() => validateUpdate(network, { network: { status: 'DOWN' } }, member), 'Cannot update read-only attribute status');
  bad(
    () => validateUpdate(network, { network: { 'provider:network_type': 'flat' } }, admin),
    'Cannot update read-only attribute provider:network_type',
  );
  bad(() => validateUpdate(network, { network: { nope: 1 } }, member), "Unrecognized attribute(s) 'nope'");
});

test('validateCreateMany: bulk and single forms', () => {
  const many = validateCreateMany(network, { networks: [{ name: 'a' }, { name: 'b' }] }, member);
  assert.deepEqual(many.map((a) => a['name']), ['a', 'b']);
  assert.equal(validateCreateMany(network, { network: { name: 'c' } }, member).length, 1);
  bad(() => validateCreateMany(network, { networks: [] }, member), 'Resources required');
});

const entity: Network = {
  id: '3d42a0d4-a980-4613-ae76-a2cddecff054',
  name: 'net',
  projectId: 'p1',
  adminStateUp: true,
  mtu: 1500,
  status: 'ACTIVE',
  providerNetworkType: 'vxlan',
  subnetIds: ['s1'],
};

test('renderView: declaration order, sources, computed values, nulls, hidden and admin-only fields', () => {
  const view = renderView(network, entity, member);
  assert.deepEqual(Object.keys(view), [
    'id', 'name', 'tenant_id', 'admin_state_up', 'mtu', 'status', 'qos_policy_id', 'subnets', 'description_len',
  ]);
  assert.equal(view['tenant_id'], 'p1');
  assert.deepEqual(view['subnets'], ['s1']);
  assert.equal(view['qos_policy_id'], null);
  assert.equal(view['description_len'], 3);
  assert.equal('secret' in view, false);
  assert.equal(renderView(network, entity, admin)['provider:network_type'], 'vxlan');
  assert.deepEqual(renderView(network, entity, member, ['name', 'provider:network_type', 'bogus']), { name: 'net' });
});

test('listSchema feeds list-query; non-admins cannot filter or sort by admin-only fields', () => {
  const views = [entity, { ...entity, id: 'b', name: 'other', providerNetworkType: 'vlan' }].map((e) =>
    renderView(network, e, admin),
  );
  const adminSchema = listSchema(network, admin);
  const q = parseListQuery({ 'provider:network_type': 'vlan' }, adminSchema);
  assert.deepEqual(applyListQuery(views, q, adminSchema).items.map((v) => v['name']), ['other']);
  const memberSchema = listSchema(network, member);
  assert.deepEqual(parseListQuery({ 'provider:network_type': 'vlan' }, memberSchema).filters, []);
  assert.throws(() => parseListQuery({ sort_key: 'provider:network_type', sort_dir: 'asc' }, memberSchema), InvalidInput);
  assert.equal(memberSchema.attributes['subnets']?.filterable, false);
  assert.equal(memberSchema.attributes['secret'], undefined);
});

test('jsonSchema describes create and update bodies', () => {
  const create = jsonSchema(network, 'create') as { properties: { network: Record<string, unknown> } };
  const body = create.properties.network as { properties: Record<string, { type: unknown }>; additionalProperties: boolean };
  assert.equal(body.additionalProperties, false);
  assert.deepEqual(Object.keys(body.properties), ['name', 'tenant_id', 'admin_state_up', 'mtu', 'provider:network_type', 'qos_policy_id']);
  assert.deepEqual(body.properties['qos_policy_id'].type, ['string', 'null']);
  const update = jsonSchema(network, 'update') as { properties: { network: { properties: Record<string, unknown> } } };
  assert.deepEqual(Object.keys(update.properties.network.properties), ['name', 'admin_state_up', 'mtu', 'qos_policy_id']);
});
