import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectionBody, listCollection, parseListQuery, type RawQuery } from '../list-query/index.js';
import { entityGetter, listEntities, projection } from './entity-list.js';
import { renderView } from './render-view.js';
import { defineResource, listSchema, type TableContext } from './resource-table.js';

interface Thing {
  id: string;
  name?: string | null;
  size: number;
  enabled: boolean;
  projectId: string;
  secret: string;
  hidden: string;
  tags?: string[];
  addrs: Array<{ ip: string }>;
  note: string;
}

const table = defineResource<Thing>({
  name: 'thing',
  collection: 'things',
  fields: {
    id: { type: 'string' },
    name: { type: 'string' },
    size: { type: 'integer' },
    enabled: { type: 'boolean' },
    project_id: { type: 'string', get: (e) => e.projectId },
    secret: { type: 'string', adminOnly: true },
    hidden: { type: 'string', visible: false },
    tags: { type: 'list', get: (e) => e.tags ?? [] },
    addrs: { type: 'list', get: (e) => e.addrs.map((a) => ({ ip_address: a.ip })), filterable: true, match: (v, wanted) => Array.isArray(v) && v.some((a) => wanted.includes(a.ip_address)) },
    note: { type: 'string', match: (v, wanted) => typeof v === 'string' && wanted.some((w) => v.includes(String(w))) },
    absent: { type: 'string' },
  },
});

// Ties on every sortable attribute, unset names, ids not in creation order.
const things: Thing[] = Array.from({ length: 41 }, (_, i) => {
  const t: Thing = {
    id: `id-${String((i * 17) % 41).padStart(2, '0')}`,
    size: i % 5,
    enabled: i % 3 === 0,
    projectId: i % 4 === 0 ? 'p2' : 'p1',
    secret: `s${i % 2}`,
    hidden: 'h',
    addrs: [{ ip: `10.0.0.${i % 6}` }],
    note: i % 7 === 0 ? 'hello world' : 'bye',
  };
  if (i % 6 !== 0) t.name = i % 6 === 1 ? null : `n${i % 4}`;
  if (i % 2) t.tags = i % 4 === 1 ? ['red'] : ['red', 'blue'];
  return Object.freeze(t);
});

const BASE = 'http://h:1/v2.0/things';

/** What the route answered before: every view rendered, then listCollection over the views. */
function generic(raw: RawQuery, ctx: TableContext): string {
  const views = things.map((t) => renderView(table, t, ctx));
  return JSON.stringify(listCollection(views, raw, listSchema(table, ctx), { baseUrl: BASE }).body);
}

/** The entity path, composed as crud.ts composes it. */
function viaEntities(raw: RawQuery, ctx: TableContext): string {
  const query = parseListQuery(raw, listSchema(table, ctx));
  const { items, links } = listEntities(table, things, query, raw, ctx, BASE);
  const render = query.fields ? projection(table, ctx, query.fields) : (t: Thing) => renderView(table, t, ctx);
  return JSON.stringify(collectionBody(table.collection, items.map(render), links));
}

function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    const err = e as Error & { type?: string };
    return `threw ${err.constructor.name} ${err.type} ${err.message}`;
  }
}

const filters: RawQuery[] = [
  {},
  { name: 'n1' },
  { name: ['n1', 'n3'] },
  { size: '2', enabled: 'true' },
  { enabled: 'False' },
  { project_id: 'p2' },
  { tags: 'blue' },
  { addrs: '10.0.0.3' },
  { note: 'world' },
  { secret: 's1' },
  { hidden: 'h' },
  { name: 'nothing' },
];
const sorts: RawQuery[] = [
  {},
  { sort_key: 'name', sort_dir: 'asc' },
  { sort_key: 'name', sort_dir: 'desc' },
  { sort_key: ['size', 'enabled'], sort_dir: ['desc', 'asc'] },
  { sort_key: 'project_id', sort_dir: 'desc' },
  { sort_key: 'id', sort_dir: 'desc' },
  { sort_key: 'id', sort_dir: 'asc' },
  { sort_key: 'secret', sort_dir: 'asc' },
];
const fieldSets: RawQuery[] = [{}, { fields: 'id' }, { fields: ['name', 'id', 'name'] }, { fields: 'tags,secret,hidden,nope,addrs,absent' }];
const pages = (ids: string[]): RawQuery[] => [
  {},
  { limit: '0' },
  { limit: '7' },
  { limit: '7', page_reverse: 'True' },
  { limit: '5', marker: ids[20]! },
  { limit: '5', marker: ids[20]!, page_reverse: 'true' },
  { limit: '100', marker: ids[3]! },
  { limit: '3', marker: 'id-99' },
  { marker: 'id-99' },
];

const callers: Array<[string, TableContext]> = [
  ['admin', { isAdmin: true }],
  ['member', { isAdmin: false }],
];

for (const [who, ctx] of callers) {
  test(`entity lists answer as rendered views do, for an ${who}: filters x sorts x fields x pages`, () => {
    const ids = things.map((t) => t.id);
    let compared = 0;
    let nonEmpty = 0;
    for (const f of filters) {
      for (const s of sorts) {
        for (const p of pages(ids)) {
          for (const fl of fieldSets) {
            const raw = { ...f, ...s, ...p, ...fl };
            const want = outcome(() => generic(raw, ctx));
            assert.equal(outcome(() => viaEntities(raw, ctx)), want, JSON.stringify(raw));
            compared++;
            if (want.startsWith('{"things":[{')) nonEmpty++;
          }
        }
      }
    }
    // The matrix exercises real pages, not only errors and empty answers.
    assert.ok(nonEmpty > compared / 2, `${nonEmpty} of ${compared}`);
  });
}

test('a marker a filter excludes still positions the page; one naming no entity is the 404', () => {
  const admin = { isAdmin: true };
  const excluded = things.find((t) => t.name !== 'n1')!.id;
  const page = JSON.parse(viaEntities({ name: 'n1', limit: '2', marker: excluded }, admin));
  assert.ok(page.things.every((t: { name: string }) => t.name === 'n1'));
  assert.match(outcome(() => viaEntities({ limit: '2', marker: 'id-99' }, admin)), /NotFound .*Thing id-99 could not be found/);
});

test('getters read what the caller\'s view shows: computed values, null for unset, nothing hidden', () => {
  const t = things[0]!;
  const member = entityGetter(table, { isAdmin: false });
  assert.equal(member('project_id')(t), 'p2');
  assert.equal(member('name')(t), null);
  assert.deepEqual(member('tags')(t), []);
  assert.equal(member('secret')(t), undefined);
  assert.equal(member('hidden')(t), undefined);
  assert.equal(entityGetter(table, { isAdmin: true })('secret')(t), 's0');
});

test('a projection renders only the named fields, in the order asked', () => {
  const project = projection(table, { isAdmin: false }, ['tags', 'id', 'secret', 'tags']);
  assert.equal(JSON.stringify(project(things[1]!)), `{"tags":["red"],"id":"${things[1]!.id}"}`);
});
