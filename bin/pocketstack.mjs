#!/usr/bin/env node
// Runs the built CLI (dist/). `npm install` builds it; after changing sources, `npm run build`.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/bundle/pocketstack.mjs', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('pocketstack: dist/ is missing; run `npm run build` (or `npm install`, which builds)\n');
  process.exit(1);
}
await import(entry.href);
