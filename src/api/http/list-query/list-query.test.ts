import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../../../core/errors.js';
import { parseListQuery } from './list-query.js';
import type { ListSchema } from './list-schema.js';

const schema: ListSchema = {
  resource: 'network',
  collection: 'networks',
  attributes: {
    id: { type: 'string', filterable: true, sortable: true },
    name: { type: 'string', filterable: true, sortable: true },
    admin_state_up: { type: 'boolean', filterable: true, sortable: true },
    mtu: { type: 'integer', filterable: true, sortable: true },
    status: { type: 'string', filterable: true, sortable: false },
    created_at: { type: 'string', filterable: false, sortable: true },
    subnets: { type: 'list', filterable: false, sortable: false },
  },
};

function rejectsWith(fn: () => unknown, message: string, type?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidInput, `expected InvalidInput, got ${String(e)}`);
    assert.equal(e.status, 400);
    assert.equal(e.message, message);
    if (type) assert.equal(e.type, type);
    return true;
  });
}

test('neutron: no query means no paging, id ascending, every field', () => {
  const q = parseListQuery({}, schema);
  assert.equal(q.limit, null);
  assert.equal(q.marker, null);
  assert.equal(q.pageReverse, false);
  assert.deepEqual(q.sort, [{ key: 'id', dir: 'asc' }]);
  assert.equal(q.fields, null);
  assert.deepEqual(q.filters, []);
});

test('neutron: limit, marker and page_reverse', () => {
  const q = parseListQuery({ limit: '2', marker: 'abc', page_reverse: 'True' }, schema);
  assert.equal(q.limit, 2);
  assert.equal(q.marker, 'abc');
  assert.equal(q.pageReverse, true);
  assert.equal(parseListQuery({ limit: '2', page_reverse: 'false' }, schema).pageReverse, false);
});

test('neutron: limit=0 disables paging, and without a limit marker/page_reverse are ignored', () => {
  const q = parseListQuery({ limit: '0', marker: 'abc', page_reverse: 'true' }, schema);
  assert.equal(q.limit, null);
  assert.equal(q.marker, null);
  assert.equal(q.pageReverse, false);
});

test('neutron: invalid limit is a 400 with Neutron message', () => {
  rejectsWith(
    () => parseListQuery({ limit: 'abc' }, schema),
    "Bad limit request: Limit must be an integer 0 or greater and not 'abc'.",
    'BadRequest',
  );
  rejectsWith(
    () => parseListQuery({ limit: '-1' }, schema),
    "Bad limit request: Limit must be an integer 0 or greater and not '-1'.",
  );
  assert.throws(() => parseListQuery({ limit: '1.5' }, schema), InvalidInput);
});

test('neutron: maxLimit caps the page and applies when no limit is given', () => {
  assert.equal(parseListQuery({ limit: '50' }, schema, { maxLimit: 10 }).limit, 10);
  assert.equal(parseListQuery({}, schema, { maxLimit: 10 }).limit, 10);
  assert.equal(parseListQuery({ limit: '5' }, schema, { maxLimit: 10 }).limit, 5);
});

test('neutron: repeated sort_key/sort_dir pairs, id appended as tie-breaker', () => {
  const q = parseListQuery({ sort_key: ['name', 'mtu'], sort_dir: ['desc', 'asc'] }, schema);
  assert.deepEqual(q.requestedSort, [
    { key: 'name', dir: 'desc' },
    { key: 'mtu', dir: 'asc' },
  ]);
  assert.deepEqual(q.sort.at(-1), { key: 'id', dir: 'asc' });
  const byId = parseListQuery({ sort_key: 'id', sort_dir: 'desc' }, schema);
  assert.deepEqual(byId.sort, [{ key: 'id', dir: 'desc' }]);
});

test('neutron: sort errors use Neutron wording', () => {
  rejectsWith(
    () => parseListQuery({ sort_key: ['name', 'mtu'], sort_dir: 'asc' }, schema),
    'The number of sort_keys and sort_dirs must be same',
    'HTTPBadRequest',
  );
  rejectsWith(
    () => parseListQuery({ sort_key: 'bogus', sort_dir: 'asc' }, schema),
    "['bogus'] is invalid attribute for sort_keys",
  );
  rejectsWith(
    () => parseListQuery({ sort_key: 'status', sort_dir: 'asc' }, schema),
    "['status'] is invalid attribute for sort_keys",
  );
  rejectsWith(
    () => parseListQuery({ sort_key: 'name', sort_dir: 'up' }, schema),
    "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'",
  );
});

test('fields: repeatable and comma lists, deduplicated, empty dropped', () => {
  const q = parseListQuery({ fields: ['id,name', 'status', 'name', ''] }, schema);
  assert.deepEqual(q.fields, ['id', 'name', 'status']);
});

test('filters: every other key; repeated key is OR; values converted per type', () => {
  const q = parseListQuery(
    { name: ['a', 'b'], admin_state_up: 'True', mtu: '1500', limit: '5', fields: 'id' },
    schema,
  );
  assert.deepEqual(q.filters, [
    { key: 'name', values: ['a', 'b'] },
    { key: 'admin_state_up', values: [true] },
    { key: 'mtu', values: [1500] },
  ]);
  assert.deepEqual(parseListQuery({ admin_state_up: ['false', '0', 'TRUE'] }, schema).filters[0].values, [
    false,
    false,
    true,
  ]);
});

test('filters: empty values are dropped like Neutron', () => {
  assert.deepEqual(parseListQuery({ name: '' }, schema).filters, []);
});

test('filters: bad boolean or integer is InvalidInput in Neutron words', () => {
  rejectsWith(
    () => parseListQuery({ admin_state_up: 'maybe' }, schema),
    "Invalid input for operation: 'maybe' cannot be converted to boolean.",
    'InvalidInput',
  );
  rejectsWith(
    () => parseListQuery({ mtu: 'big' }, schema),
    "Invalid input for operation: 'big' is not an integer.",
  );
});

test('filters: unknown keys are ignored by default, rejected on request, reserved keys skipped', () => {
  assert.deepEqual(parseListQuery({ bogus: 'x', subnets: 'y' }, schema).filters, []);
  rejectsWith(
    () => parseListQuery({ bogus: 'x' }, schema, { unknownFilters: 'reject' }),
    "['bogus'] is invalid attribute for filtering",
  );
  const q = parseListQuery({ all_tenants: '1', name: 'n' }, schema, {
    unknownFilters: 'reject',
    reservedKeys: ['all_tenants'],
  });
  assert.deepEqual(q.filters, [{ key: 'name', values: ['n'] }]);
});

test('cinder: limit defaults to and is capped by 1000; errors in Cinder words', () => {
  const opts = { dialect: 'cinder' as const };
  assert.equal(parseListQuery({}, schema, opts).limit, 1000);
  assert.equal(parseListQuery({ limit: '5000' }, schema, opts).limit, 1000);
  assert.equal(parseListQuery({ limit: '0' }, schema, opts).limit, 0);
  assert.equal(parseListQuery({ limit: '10' }, schema, { ...opts, maxLimit: 5 }).limit, 5);
  rejectsWith(() => parseListQuery({ limit: 'x' }, schema, opts), 'limit param must be an integer');
  rejectsWith(() => parseListQuery({ limit: '-2' }, schema, opts), 'limit param must be positive');
  assert.equal(parseListQuery({ offset: '3' }, schema, opts).offset, 3);
  assert.throws(() => parseListQuery({ offset: '-3' }, schema, opts), InvalidInput);
});

test('cinder: marker applies without an explicit limit', () => {
  assert.equal(parseListQuery({ marker: 'm' }, schema, { dialect: 'cinder' }).marker, 'm');
});

test('cinder: default order created_at desc then id desc', () => {
  const q = parseListQuery({}, schema, { dialect: 'cinder' });
  assert.deepEqual(q.sort, [
    { key: 'created_at', dir: 'desc' },
    { key: 'id', dir: 'desc' },
  ]);
});

test('cinder: sort=key:dir,key2 with the default direction desc', () => {
  const q = parseListQuery({ sort: 'name:asc,mtu' }, schema, { dialect: 'cinder' });
  assert.deepEqual(q.requestedSort, [
    { key: 'name', dir: 'asc' },
    { key: 'mtu', dir: 'desc' },
  ]);
  assert.deepEqual(q.sort.slice(2), [
    { key: 'created_at', dir: 'asc' },
    { key: 'id', dir: 'asc' },
  ]);
});

test('cinder: sort cannot be combined with sort_key/sort_dir', () => {
  rejectsWith(
    () => parseListQuery({ sort: 'name', sort_key: 'mtu' }, schema, { dialect: 'cinder' }),
    "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.",
  );
});

test('cinder: fewer sort_dirs than keys are padded, more is an error', () => {
  const q = parseListQuery({ sort_key: ['name', 'mtu'], sort_dir: 'asc' }, schema, { dialect: 'cinder' });
  assert.deepEqual(q.requestedSort, [
    { key: 'name', dir: 'asc' },
    { key: 'mtu', dir: 'asc' },
  ]);
  rejectsWith(
    () => parseListQuery({ sort_key: 'name', sort_dir: ['asc', 'desc'] }, schema, { dialect: 'cinder' }),
    'Invalid input received: Sort direction array size exceeds sort key array size.',
  );
  rejectsWith(
    () => parseListQuery({ sort: 'name:sideways' }, schema, { dialect: 'cinder' }),
    "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.",
  );
  rejectsWith(
    () => parseListQuery({ sort: 'bogus' }, schema, { dialect: 'cinder' }),
    'Invalid input received: Invalid sort key',
  );
});

test('cinder: lenient booleans, with_count, unknown filters rejected in Cinder words', () => {
  const opts = { dialect: 'cinder' as const };
  assert.deepEqual(parseListQuery({ admin_state_up: 'T' }, schema, opts).filters[0].values, [true]);
  assert.deepEqual(parseListQuery({ admin_state_up: 'nope' }, schema, opts).filters[0].values, [false]);
  assert.equal(parseListQuery({ with_count: 'true' }, schema, opts).withCount, true);
  assert.equal(parseListQuery({}, schema, opts).withCount, false);
  rejectsWith(
    () => parseListQuery({ foo: '1', bar: '2' }, schema, { ...opts, unknownFilters: 'reject' }),
    'Invalid input received: Invalid filters foo,bar are found in query options.',
  );
});
