#!/usr/bin/env node
// Bundles the CLI into one CommonJS file (dist/bundle/pocketstack.cjs), which bin/pocketstack.mjs
// compiles with V8's code cache. One file instead of several hundred modules halves the load time, and
// a classic script (not an ES module) is what Node 20 can give a code cache to (docs/architecture.md,
// "Start-up"). Native and worker-based packages stay external.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const out = new URL('../dist/bundle/', import.meta.url).pathname;
// An earlier build's files (the ES module bundle, stale code caches) must not outlive it.
rmSync(out, { recursive: true, force: true });
const result = await build({
  entryPoints: [new URL('../src/cli/run.ts', import.meta.url).pathname],
  outfile: `${out}pocketstack.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Whitespace and syntax only: function and class names stay, for stack traces and logs.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  // Licence comments go to pocketstack.cjs.LEGAL.txt beside the bundle.
  legalComments: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  // pg is bundled (it is plain JS), so that its lazy import('pg') becomes a require: a script compiled
  // from V8's code cache has no callback for import(). Its optional native binding stays out.
  external: ['better-sqlite3', 'pg-native', 'pino', 'thread-stream'],
  metafile: true,
});
const dynamic = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import' && i.external));
if (dynamic.length > 0) {
  throw new Error(`the bundle would import() ${dynamic.map((i) => i.path).join(', ')} at run time; bundle them or require() them instead (see bin/pocketstack.mjs)`);
}
