/**
 * `pocketstack storage check [--home DIR]`: checks the local volume store in HOME/volumes offline
 * and prints a summary. Layer: cli; uses the local store's own checker (drivers/storage/local).
 *
 * Exit codes: 0 consistent; 1 problems found, or the store is in use by a running server; 2 no store
 * at that path, or a usage error. The check holds the store's lock while it reads, so a server cannot
 * start half-way through; it never writes to the store (a stale lock of a dead process is replaced,
 * as a server start would).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkStore } from '../drivers/storage/local/check-store.js';
import { EXTENT_SIZE } from '../drivers/storage/local/extent-tree.js';
import { releaseLock, takeLock } from '../drivers/storage/local/local-store.js';

const USAGE = 'usage: pocketstack storage check [--home DIR]\n';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Output = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Runs `storage <sub> …`; returns the exit code. */
export async function runStorageCommand(argv: string[], io: Output = stdio): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'check') {
    io.err(sub === undefined ? USAGE : `pocketstack: unknown storage command "${sub}"\n${USAGE}`);
    return 2;
  }
  let home: string;
  try {
    const { values } = parseArgs({ args: rest, options: { home: { type: 'string' } }, strict: true });
    home = path.resolve(values.home ?? process.env.POCKETSTACK_HOME ?? '.pocketstack');
  } catch (e) {
    io.err(`pocketstack: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  return checkVolumes(path.join(home, 'volumes'), io);
}

function isStore(root: string): boolean {
  return ['checkpoint', 'journal'].some((f) => fs.existsSync(path.join(root, f)));
}

function lockOwner(root: string): string {
  try {
    return fs.readFileSync(path.join(root, 'LOCK'), 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

async function checkVolumes(root: string, io: Output): Promise<number> {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory() || !isStore(root)) {
    io.err(`pocketstack: no volume store at ${root} (expected HOME/volumes with a journal or checkpoint); use --home DIR or set POCKETSTACK_HOME\n`);
    return 2;
  }
  try {
    takeLock(root);
  } catch (e) {
    if ((e as { code?: string }).code !== 'in_use') throw e;
    io.err(
      `pocketstack: the volume store at ${root} is in use by a running server (process ${lockOwner(root)}).\n` +
        'Stop that server first; a running server checks its own store with its check API.\n',
    );
    return 1;
  }
  try {
    const r = checkStore(root);
    const poolPath = path.join(root, 'pool');
    const poolBytes = fs.existsSync(poolPath) ? fs.statSync(poolPath).size : 0;
    io.out(
      `Volume store ${root}\n` +
        `  volumes:    ${r.volumes}\n` +
        `  snapshots:  ${r.snapshots}\n` +
        `  extents:    ${r.extentsInUse} in use (${mib(r.extentsInUse * EXTENT_SIZE)}), ${r.extentsFree} free (${mib(r.extentsFree * EXTENT_SIZE)}), ${EXTENT_SIZE / 1024} KiB each\n` +
        `  data file:  ${mib(poolBytes)}\n`,
    );
    if (r.ok) {
      io.out('Consistent: no problems found.\n');
      return 0;
    }
    io.out(`NOT consistent: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:\n`);
    for (const p of r.problems) io.out(`  - ${p}\n`);
    return 1;
  } finally {
    releaseLock(root);
  }
}
