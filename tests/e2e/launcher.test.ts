/**
 * The built launcher as users run it (`npm start`, `bin/pocketstack.mjs` as a command): it starts the
 * bundle, writes V8's code cache once the process has lived a second, uses it at the next start, and
 * survives a cache that is corrupt or belongs to another bundle. Runs on a copy of bin/ and the bundle
 * (with node_modules linked), so that the checkout's own cache is left alone; on PostgreSQL too when
 * POCKETSTACK_TEST_PG is set. Needs `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startChild, type ChildServer } from '../support/server.js';
import { issueToken } from '../support/http.js';
import { testDatabaseFactories } from '../../src/store/sql/test-databases.js';

const bundle = join(ROOT, 'dist/bundle/pocketstack.cjs');
const skip = !existsSync(bundle) && process.env.CI !== 'true' ? 'dist/ is not built (npm run build)' : false;

async function until(what: string, check: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the launcher writes a code cache, uses it, and recovers from a corrupt or stale one', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'ps-launcher-'));
  const home = join(root, 'home');
  const env = { POCKETSTACK_DEBUG_CODE_CACHE: '1', POCKETSTACK_ADMIN_PASSWORD: 'launcher-pw' };
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist/bundle'), { recursive: true });
  copyFileSync(join(ROOT, 'bin/pocketstack.mjs'), join(root, 'bin/pocketstack.mjs'));
  copyFileSync(bundle, join(root, 'dist/bundle/pocketstack.cjs'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  const launcher = join(root, 'bin/pocketstack.mjs');
  const cacheDir = join(root, 'dist/bundle/code-cache');
  const caches = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.bin')) : []);
  const start = () => startChild(['--home', home, '--port', '0'], env, 30000, launcher);
  const written = (s: ChildServer) => until('the code cache to be written', () => s.stderr().includes('code cache: written'));
  try {
    const first = await start();
    assert.match(first.stderr(), /code cache: none/);
    await issueToken(first.url, 'admin', 'launcher-pw', 'admin');
    await written(first);
    assert.equal(caches().length, 1);
    assert.equal(await first.stop('SIGTERM'), 0);

    const second = await start();
    assert.match(second.stderr(), /code cache: used/);
    await issueToken(second.url, 'admin', 'launcher-pw', 'admin');
    assert.equal(await second.stop('SIGTERM'), 0);

    // PostgreSQL's client is loaded lazily; from cached code too (an import() would fail there).
    const pgFactory = testDatabaseFactories().find((f) => f.name === 'postgres');
    if (pgFactory && !pgFactory.skip) {
      const db = await pgFactory.create();
      try {
        const onPg = await startChild(['--home', join(root, 'home-pg'), '--port', '0', '--db', db.url], env, 30000, launcher);
        assert.match(onPg.stderr(), /code cache: used/);
        await issueToken(onPg.url, 'admin', 'launcher-pw', 'admin');
        assert.equal(await onPg.stop('SIGTERM'), 0);
      } finally {
        await db.drop();
      }
    }

    // Garbage under the right name: V8 rejects it, the server still starts and the cache is rewritten.
    writeFileSync(join(cacheDir, caches()[0] as string), Buffer.alloc(4096, 7));
    const third = await start();
    assert.match(third.stderr(), /code cache: rejected/);
    await issueToken(third.url, 'admin', 'launcher-pw', 'admin');
    await written(third);
    assert.equal(await third.stop('SIGTERM'), 0);

    // A new build (same length would fool V8's own check; any change gives a new name): the old
    // bundle's cache is not used, and is removed when the new one is written.
    const old = caches()[0] as string;
    appendFileSync(join(root, 'dist/bundle/pocketstack.cjs'), '\n// rebuilt\n');
    const fourth = await start();
    assert.match(fourth.stderr(), /code cache: none/);
    await written(fourth);
    assert.equal(caches().length, 1);
    assert.notEqual(caches()[0], old);
    assert.equal(await fourth.stop('SIGTERM'), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
