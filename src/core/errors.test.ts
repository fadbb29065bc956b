import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, NotFound, isDomainError } from './errors.js';

test('domain errors carry a stable code, a status and an OpenStack type name', () => {
  const e = new NotFound('Network abc could not be found.', 'NetworkNotFound');
  assert.equal(e.code, 'not_found');
  assert.equal(e.status, 404);
  assert.equal(e.type, 'NetworkNotFound');
  assert.ok(isDomainError(e));
  const c = new Conflict('in use');
  assert.equal(c.type, 'Conflict');
  assert.equal(c.status, 409);
  assert.ok(!isDomainError(new Error('x')));
});
