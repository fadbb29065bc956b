import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HmacTokenCodec } from './hmac-token-codec.js';
import { ScryptPasswordHasher } from './scrypt-password-hasher.js';

test('scrypt hashes verify the right password only, with a fresh salt each time', async () => {
  const h = new ScryptPasswordHasher({ N: 1024, r: 8, p: 1 });
  const a = await h.hash('s3cret');
  const b = await h.hash('s3cret');
  assert.notEqual(a, b);
  assert.ok(!a.includes('s3cret'));
  assert.equal(await h.verify('s3cret', a), true);
  assert.equal(await h.verify('S3cret', a), false);
  assert.equal(await h.verify('s3cret', 'garbage'), false);
});

test('tokens round-trip and anything tampered or signed by another key is refused', () => {
  const codec = new HmacTokenCodec(randomBytes(32));
  const payload = { userId: 'u', methods: ['password'], projectId: 'p', domainId: null, issuedAt: 1, expiresAt: 2, auditIds: ['x'] };
  const tok = codec.encode(payload);
  assert.deepEqual(codec.decode(tok), payload);
  const [v, body, sig] = tok.split('.') as [string, string, string];
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), p: 'other' })).toString('base64url');
  assert.equal(codec.decode(`${v}.${forged}.${sig}`), null);
  assert.equal(new HmacTokenCodec(randomBytes(32)).decode(tok), null);
  assert.equal(codec.decode('v1.'), null);
  assert.equal(codec.decode('nonsense'), null);
  assert.equal(codec.decode(tok.slice(0, -2)), null);
});
