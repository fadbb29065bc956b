import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFound } from '../../../core/errors.js';
import { applyListQuery } from './apply-list-query.js';
import { parseListQuery } from './list-query.js';
import type { ListSchema } from './list-schema.js';
import type { RawQuery } from './query-value.js';

const schema: ListSchema = {
  resource: 'security_group',
  collection: 'security_groups',
  attributes: {
    id: { type: 'string', filterable: true, sortable: true },
    name: { type: 'string', filterable: true, sortable: true },
    shared: { type: 'boolean', filterable: true, sortable: true },
    size: { type: 'integer', filterable: true, sortable: true },
    tags: { type: 'list', filterable: true, sortable: false },
    description: {
      type: 'string',
      filterable: true,
      sortable: false,
      match: (v, wanted) => typeof v === 'string' && wanted.some((w) => v.includes(String(w))),
    },
  },
};

const rows = [
  { id: 'e', name: 'b', shared: true, size: 3, tags: ['x'], description: 'hello world' },
  { id: 'a', name: 'a', shared: false, size: 10, tags: [], description: 'other' },
  { id: 'c', name: 'b', shared: false, size: 2, tags: ['x', 'y'], description: 'world' },
  { id: 'b', name: null, shared: true, size: 1, tags: ['y'], description: '' },
  { id: 'd', name: 'c', shared: false, size: 2, tags: [], description: 'bye' },
];

function ids(raw: RawQuery, opts = {}) {
  const q = parseListQuery(raw, schema, opts);
  return applyListQuery(rows, q, schema).items.map((r) => r.id);
}

test('default order is by id, and the input is not mutated', () => {
  assert.deepEqual(ids({}), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(rows[0].id, 'e');
});

test('filters: equality, OR within a key, AND across keys, typed values', () => {
  assert.deepEqual(ids({ name: 'b' }), ['c', 'e']);
  assert.deepEqual(ids({ name: ['a', 'c'] }), ['a', 'd']);
  assert.deepEqual(ids({ name: 'b', shared: 'false' }), ['c']);
  assert.deepEqual(ids({ size: '2' }), ['c', 'd']);
  assert.deepEqual(ids({ shared: 'True' }), ['b', 'e']);
});

test('filters: list attributes match by membership; custom matchers replace equality', () => {
  assert.deepEqual(ids({ tags: 'y' }), ['b', 'c']);
  assert.deepEqual(ids({ description: 'world' }), ['c', 'e']);
});

test('sort is stable with id as final tie-breaker; nulls sort first ascending', () => {
  assert.deepEqual(ids({ sort_key: 'name', sort_dir: 'asc' }), ['b', 'a', 'c', 'e', 'd']);
  assert.deepEqual(ids({ sort_key: 'name', sort_dir: 'desc' }), ['d', 'c', 'e', 'a', 'b']);
  assert.deepEqual(ids({ sort_key: ['size', 'name'], sort_dir: ['asc', 'desc'] }), ['b', 'd', 'c', 'e', 'a']);
  // Numbers compare numerically, not as strings (10 after 3).
  assert.deepEqual(ids({ sort_key: 'size', sort_dir: 'desc' }), ['a', 'e', 'c', 'd', 'b']);
});

test('limit and marker page forward; the marker row itself is excluded', () => {
  assert.deepEqual(ids({ limit: '2' }), ['a', 'b']);
  assert.deepEqual(ids({ limit: '2', marker: 'b' }), ['c', 'd']);
  assert.deepEqual(ids({ limit: '2', marker: 'd' }), ['e']);
  assert.deepEqual(ids({ limit: '2', marker: 'e' }), []);
});

test('the marker need not match the filters: paging continues from its sort position', () => {
  // Row 'c' (name b) is filtered out by name=a|c, but still positions the page.
  assert.deepEqual(ids({ name: ['a', 'c'], limit: '5', marker: 'c' }), ['d']);
});

test('page_reverse returns the page before the marker, in display order', () => {
  assert.deepEqual(ids({ limit: '2', marker: 'd', page_reverse: 'True' }), ['b', 'c']);
  assert.deepEqual(ids({ limit: '2', marker: 'b', page_reverse: 'True' }), ['a']);
  assert.deepEqual(ids({ limit: '2', page_reverse: 'True' }), ['d', 'e']);
  assert.deepEqual(
    ids({ limit: '2', marker: 'c', page_reverse: 'True', sort_key: 'size', sort_dir: 'desc' }),
    ['a', 'e'],
  );
});

test('marker not found is the resource NotFound (404)', () => {
  const q = parseListQuery({ limit: '2', marker: 'zzz' }, schema);
  assert.throws(
    () => applyListQuery(rows, q, schema),
    (e: unknown) =>
      e instanceof NotFound &&
      e.status === 404 &&
      e.type === 'SecurityGroupNotFound' &&
      e.message === 'Security group zzz could not be found.',
  );
  // Without a limit Neutron ignores the marker entirely.
  assert.deepEqual(ids({ marker: 'zzz' }), ['a', 'b', 'c', 'd', 'e']);
});

test('cinder: offset after marker, total counts all matches, limit=0 is an empty page', () => {
  const opts = { dialect: 'cinder' as const };
  assert.deepEqual(ids({ sort: 'id:asc', limit: '2', marker: 'a', offset: '1' }, opts), ['c', 'd']);
  const q = parseListQuery({ shared: 'false', limit: '1', with_count: 'true' }, schema, opts);
  const r = applyListQuery(rows, q, schema);
  assert.equal(r.total, 3);
  assert.equal(r.items.length, 1);
  assert.deepEqual(ids({ limit: '0' }, opts), []);
});

test('10,000 rows are filtered, sorted and paged well under 20 ms', () => {
  const big = Array.from({ length: 10_000 }, (_, i) => ({
    id: `id-${String((i * 7919) % 10_000).padStart(5, '0')}`,
    name: `net-${i % 97}`,
    shared: i % 3 === 0,
    size: i % 501,
    tags: i % 2 ? ['odd'] : ['even'],
    description: 'x',
  }));
  const raw = { sort_key: ['size', 'name'], sort_dir: ['desc', 'asc'], shared: 'false', limit: '100' };
  const q = parseListQuery(raw, schema);
  applyListQuery(big, q, schema); // warm-up: JIT
  const runs: number[] = [];
  let page: readonly { id: string }[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = applyListQuery(big, parseListQuery({ ...raw, marker: big[42].id }, schema), schema);
    page = res.items;
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  assert.equal(page.length, 100);
  assert.ok(runs[2] < 20, `median ${runs[2].toFixed(2)} ms`);
});
