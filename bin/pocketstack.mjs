#!/bin/sh
":" //; exec env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" node --max-semi-space-size="${POCKETSTACK_SEMI_SPACE_MB:-4}" "$0" "$@"
// Runs the built CLI (dist/). `npm install` builds it; after changing sources, `npm run build`.
//
// This file is both a shell script and a JS module. Run as a command (`pocketstack`, `./bin/…`), the
// shell line above starts Node with the settings that must be given at process start, in the same
// process (exec): a young generation of 4 MB semi-spaces (V8's default grows to 16 MB: 32 MB of
// mostly garbage after a burst of requests) and at most two malloc arenas (glibc's default, 8 per
// core, keeps the freed memory of V8's helper threads in arenas of their own). To JS the line is a
// string and a comment, so `node bin/pocketstack.mjs` still works, without those two settings.
// Measurements and the choice of values: docs/benchmarks.md (Networking API).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Read at every GC, so it may be set now: the old generation's next limit is 1.3 × what survived the
// last full GC instead of up to 4 ×, so a burst leaves less uncollected garbage in the heap.
if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) setFlagsFromString('--heap-growing-percent=30');

const entry = new URL('../dist/bundle/pocketstack.mjs', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('pocketstack: dist/ is missing; run `npm run build` (or `npm install`, which builds)\n');
  process.exit(1);
}
await import(entry.href);
