import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineResource } from '../http/resource-table/index.js';
import { ViewMemo } from './view-memo.js';

interface Thing {
  id: string;
  name: string;
  secret: string;
}
const table = defineResource<Thing>({
  name: 'thing',
  collection: 'things',
  fields: { id: { type: 'string' }, name: { type: 'string' }, secret: { type: 'string', adminOnly: true } },
});

test('one text per entity object and caller kind; a new entity object is rendered afresh', () => {
  const memo = new ViewMemo(table);
  const e: Thing = Object.freeze({ id: '1', name: 'a', secret: 's' });
  const admin = { isAdmin: true };
  const member = { isAdmin: false };
  assert.equal(memo.json(e, admin), '{"id":"1","name":"a","secret":"s"}');
  assert.equal(memo.json(e, member), '{"id":"1","name":"a"}');
  assert.equal(memo.json(e, admin), memo.json(e, admin));
  // The next revision of the same resource is a different object (PortService.list hands out one per row).
  assert.equal(memo.json({ ...e, name: 'b' }, member), '{"id":"1","name":"b"}');
  assert.equal(memo.json(e, member), '{"id":"1","name":"a"}');
});
