import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyListQuery } from './apply-list-query.js';
import { parseListQuery } from './list-query.js';
import { listCollection } from './list-response.js';
import type { ListSchema } from './list-schema.js';
import { collectionBody, paginationLinks, projectFields } from './pagination-link.js';
import type { RawQuery } from './query-value.js';

const schema: ListSchema = {
  resource: 'network',
  collection: 'networks',
  attributes: {
    id: { type: 'string', filterable: true, sortable: true },
    name: { type: 'string', filterable: true, sortable: true },
    created_at: { type: 'string', filterable: false, sortable: true },
  },
};
const rows = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, name: `n ${id}`, created_at: `2024-01-0${i + 1}` }));
const base = 'http://h:1/network/v2.0/networks';

function linksFor(raw: RawQuery, dialect: 'neutron' | 'cinder' = 'neutron') {
  const q = parseListQuery(raw, schema, { dialect });
  const { items } = applyListQuery(rows, q, schema);
  return paginationLinks(items, q, raw, { baseUrl: base });
}

test('neutron: no limit, no links', () => {
  assert.deepEqual(linksFor({}), []);
});

test('neutron: a full first page has next and previous, both keeping the query', () => {
  assert.deepEqual(linksFor({ limit: '2', name: ['n a', 'n b', 'n c'] }), [
    { rel: 'next', href: `${base}?limit=2&name=n+a&name=n+b&name=n+c&marker=b` },
    { rel: 'previous', href: `${base}?limit=2&name=n+a&name=n+b&name=n+c&marker=a&page_reverse=True` },
  ]);
});

test('neutron: the marker is replaced, not repeated; a short forward page has only previous', () => {
  assert.deepEqual(linksFor({ marker: 'c', limit: '2' }), [
    { rel: 'next', href: `${base}?limit=2&marker=e` },
    { rel: 'previous', href: `${base}?limit=2&marker=d&page_reverse=True` },
  ]);
  assert.deepEqual(linksFor({ marker: 'd', limit: '2' }), [
    { rel: 'previous', href: `${base}?limit=2&marker=e&page_reverse=True` },
  ]);
});

test('neutron: a short reverse page has only next, which drops page_reverse', () => {
  assert.deepEqual(linksFor({ limit: '2', marker: 'b', page_reverse: 'True' }), [
    { rel: 'next', href: `${base}?limit=2&marker=a` },
  ]);
});

test('neutron: an empty page still offers previous without a marker', () => {
  assert.deepEqual(linksFor({ limit: '2', marker: 'e' }), [
    { rel: 'previous', href: `${base}?limit=2&page_reverse=True` },
  ]);
});

test('cinder: only next, only when the page is full', () => {
  assert.deepEqual(linksFor({ limit: '2', sort: 'id:asc' }, 'cinder'), [
    { rel: 'next', href: `${base}?limit=2&sort=id%3Aasc&marker=b` },
  ]);
  assert.deepEqual(linksFor({ limit: '2', sort: 'id:asc', marker: 'd' }, 'cinder'), []);
  assert.deepEqual(linksFor({ limit: '0' }, 'cinder'), []);
});

test('projectFields keeps exactly the named attributes and ignores unknown names', () => {
  const v = { id: 'a', name: 'x', status: 'ACTIVE' };
  assert.deepEqual(projectFields(v, ['name', 'bogus']), { name: 'x' });
  assert.deepEqual(projectFields(v, ['bogus']), {});
  assert.equal(projectFields(v, null), v);
});

test('collectionBody omits empty links and adds count only when given', () => {
  assert.deepEqual(collectionBody('volumes', [], []), { volumes: [] });
  const links = [{ rel: 'next' as const, href: 'u' }];
  assert.deepEqual(collectionBody('volumes', [1], links, 7), { volumes: [1], volumes_links: links, count: 7 });
});

test('listCollection: parse, page, project, link in one call; ids for links come before projection', () => {
  const { body, query } = listCollection(rows, { limit: '2', fields: 'name' }, schema, { baseUrl: base });
  assert.equal(query.limit, 2);
  assert.deepEqual(body['networks'], [{ name: 'n a' }, { name: 'n b' }]);
  assert.deepEqual(body['networks_links'], [
    { rel: 'next', href: `${base}?limit=2&fields=name&marker=b` },
    { rel: 'previous', href: `${base}?limit=2&fields=name&marker=a&page_reverse=True` },
  ]);
  const cinder = listCollection(rows, { with_count: 'true', limit: '1' }, { ...schema, collection: 'volumes' }, {
    baseUrl: base,
    dialect: 'cinder',
  });
  assert.equal(cinder.body['count'], 5);
  assert.deepEqual((cinder.body['volumes'] as Array<{ id: string }>).map((v) => v.id), ['e']);
});
