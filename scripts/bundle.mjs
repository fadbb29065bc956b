#!/usr/bin/env node
// Bundles the CLI into one ES module (dist/bundle/pocketstack.mjs): loading one file instead of several
// hundred halves start-up time (docs/benchmarks.md). Native and worker-based packages stay external.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/cli/run.ts', import.meta.url).pathname],
  outfile: new URL('../dist/bundle/pocketstack.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['better-sqlite3', 'pg', 'pino', 'thread-stream'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
