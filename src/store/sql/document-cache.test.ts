import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentCache } from './document-cache.js';

const row = (id: string, revision: number, data: unknown = { id }) => ({ id, projectId: 'p', parentId: null, revision, createdAt: 'c', updatedAt: `u${revision}`, data });
const head = (id: string, revision: number, updated = `u${revision}`, created = 'c') => ({ id, revision, created_at: created, updated_at: updated });

test('an entry serves only the exact revision and timestamps it was read at', () => {
  const c = new DocumentCache(new Set(['port']));
  const r = c.remember('port', row('a', 2));
  assert.equal(c.lookup('port', head('a', 2)), r);
  assert.equal(c.lookup('port', head('a', 3)), undefined);
  assert.equal(c.lookup('port', head('a', 2, 'later')), undefined);
  assert.equal(c.lookup('port', head('a', 2, 'u2', 'recreated')), undefined);
  c.forget('port', 'a');
  assert.equal(c.lookup('port', head('a', 2)), undefined);
  assert.equal(c.entries, 0);
});

test('entries are deeply frozen; other kinds are not kept', () => {
  const c = new DocumentCache(new Set(['port']));
  const r = c.remember('port', row('a', 1, { ips: [{ ip: '10.0.0.1' }] }));
  assert.ok(Object.isFrozen(r) && Object.isFrozen((r.data as { ips: object[] }).ips[0]));
  const v = c.remember('volume', row('v', 1, { size: 1 }));
  assert.ok(!Object.isFrozen(v));
  assert.equal(c.lookup('volume', head('v', 1)), undefined);
  assert.equal(c.entries, 1);
});

test('the bound starts the cache over instead of growing without limit', () => {
  const c = new DocumentCache(new Set(['port']), 3);
  for (const id of ['a', 'b', 'c']) c.remember('port', row(id, 1));
  c.remember('port', row('a', 2));
  assert.equal(c.entries, 3, 'replacing an entry does not count twice');
  c.remember('port', row('d', 1));
  assert.equal(c.entries, 1);
  assert.ok(c.lookup('port', head('d', 1)));
  assert.equal(c.lookup('port', head('b', 1)), undefined);
});
