#!/bin/sh
":" //; exec env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" node --max-semi-space-size="${POCKETSTACK_SEMI_SPACE_MB:-4}" "$0" "$@"
// Runs the built CLI (dist/bundle/pocketstack.cjs). `npm install` builds it; after changing sources, `npm run build`.
//
// This file is both a shell script and a JS module. Run as a command (`pocketstack`, `./bin/…`), the
// shell line above starts Node with the settings that must be given at process start, in the same
// process (exec): a young generation of 4 MB semi-spaces (V8's default grows to 16 MB: 32 MB of
// mostly garbage after a burst of requests) and at most two malloc arenas (glibc's default, 8 per
// core, keeps the freed memory of V8's helper threads in arenas of their own). To JS the line is a
// string and a comment, so `node bin/pocketstack.mjs` still works, without those two settings.
// Measurements and the choice of values: docs/benchmarks.md (Networking API).
//
// The bundle is compiled with V8's code cache (Node 20 has no module compile cache): the first process
// that lives a second writes what V8 compiled to dist/bundle/code-cache/, named by the bundle's content
// hash, Node's version and its command-line flags; later starts skip most parsing and compiling (≈ 70 ms,
// docs/benchmarks.md). A cache V8 rejects is rewritten; one that cannot be written is simply not used.
// POCKETSTACK_DEBUG_CODE_CACHE=1 reports on stderr what happened to it.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/pocketstack.cjs', import.meta.url));
let source;
try {
  source = readFileSync(bundle, 'utf8');
} catch {
  process.stderr.write('pocketstack: dist/ is missing; run `npm run build` (or `npm install`, which builds)\n');
  process.exit(1);
}
const debug = process.env.POCKETSTACK_DEBUG_CODE_CACHE === '1' ? (m) => process.stderr.write(`code cache: ${m}\n`) : () => {};
const cacheDir = join(dirname(bundle), 'code-cache');
const hash = (text) => createHash('sha256').update(text).digest('hex').slice(0, 16);
// Named by what V8 checks and more: the bundle's content (V8 itself compares only its length), then
// Node's version and the flags. Caches of another bundle are stale; those of other flags are not.
const bundleKey = hash(source);
const cacheFile = join(cacheDir, `${bundleKey}-${hash(`${process.version} ${process.arch} ${process.execArgv.join(' ')}`)}.bin`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
// The bundle has no import() of its own (scripts/bundle.mjs refuses one): code from a cache loses
// the callback that import() would need.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
debug(cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used');
// A second after start, when the functions start-up needed are compiled too (so the cache holds them):
setTimeout(() => {
  if (cachedData === undefined || script.cachedDataRejected) writeCodeCache();
  // Then, and not before: changing a V8 flag changes the flag hash V8 checks a code cache against.
  // The old generation's next limit becomes 1.3 × what survived the last full GC instead of up to 4 ×,
  // so a burst of requests leaves less uncollected garbage; V8 reads it at every GC. Set at start it
  // cost ≈ 20 ms of extra collections while the heap grew. An explicit flag wins.
  if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) setFlagsFromString('--heap-growing-percent=30');
}, 1000).unref();

function writeCodeCache() {
  try {
    mkdirSync(cacheDir, { recursive: true });
    for (const f of readdirSync(cacheDir)) if (f.endsWith('.bin') && !f.startsWith(bundleKey)) rmSync(join(cacheDir, f), { force: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
    debug('written');
  } catch (e) {
    debug(`not written: ${e.message}`);
  }
}

const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
