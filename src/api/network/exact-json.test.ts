import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringifyExact } from './exact-json.js';

test('big integers are written with every digit; the rest as JSON.stringify writes it', () => {
  const v = { total_ips: 2n ** 64n - 2n, used_ips: 3, name: 'n"1', list: [1n, null, 'x', undefined], skip: undefined, nested: { ok: true, at: new Date(0) } };
  const text = stringifyExact(v);
  assert.equal(text, '{"total_ips":18446744073709551614,"used_ips":3,"name":"n\\"1","list":[1,null,"x",null],"nested":{"ok":true,"at":"1970-01-01T00:00:00.000Z"}}');
  const plain = { a: [1, 'b', { c: false }], d: null };
  assert.equal(stringifyExact(plain), JSON.stringify(plain));
});
