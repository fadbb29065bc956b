/**
 * Backup chains, as pure functions: which backup an incremental builds on, which chunks a backup
 * must read, how a chain of manifests resolves into one image, and what may be deleted. The worker
 * (src/agent/volume-backup.ts) does the I/O around them. Pure: imports only core.
 */
import type { Backup } from '../model/backup.js';
import type { BackupManifest, ManifestEntry } from '../ports/backup-repository.js';
import type { StoredResource } from '../ports/resource-store.js';

export interface ByteRange {
  offset: number;
  length: number;
}

/** Chunk-aligned offsets of every chunk that intersects one of `ranges`, within `sizeBytes`, ascending. */
export function chunkOffsets(ranges: readonly ByteRange[], chunkSize: number, sizeBytes: number): number[] {
  const out = new Set<number>();
  for (const r of ranges) {
    const end = Math.min(r.offset + r.length, sizeBytes);
    for (let o = Math.floor(r.offset / chunkSize) * chunkSize; o < end; o += chunkSize) out.add(o);
  }
  return [...out].sort((a, b) => a - b);
}

export class BrokenChain extends Error {
  readonly code = 'corrupt';
  readonly retryable = false;
}

/**
 * The manifests from the full backup to `dataId`, oldest first. Rejects a missing link, a cycle, or
 * links that disagree on the chunk size.
 */
export async function loadChain(dataId: string, read: (dataId: string) => Promise<BackupManifest | undefined>): Promise<BackupManifest[]> {
  const chain: BackupManifest[] = [];
  const seen = new Set<string>();
  let next: string | null = dataId;
  while (next !== null) {
    if (seen.has(next)) throw new BrokenChain(`backup chain of ${dataId} loops at ${next}`);
    seen.add(next);
    const m = await read(next);
    if (!m) throw new BrokenChain(next === dataId ? `backup ${dataId} has no data in the repository` : `backup ${dataId} needs backup data ${next}, which is missing`);
    if (chain.length && m.chunkSize !== (chain[0] as BackupManifest).chunkSize) throw new BrokenChain(`backup chain of ${dataId} mixes chunk sizes`);
    chain.unshift(m);
    next = m.parent;
  }
  return chain;
}

/** The image a chain describes: offset -> chunk id of every non-zero chunk (everything else reads zero). */
export function resolveChain(chain: readonly BackupManifest[]): Map<number, string> {
  const image = new Map<number, string>();
  const last = chain[chain.length - 1];
  for (const m of chain) {
    for (const e of m.entries) {
      if (e.chunk === null) image.delete(e.offset);
      else image.set(e.offset, e.chunk);
    }
  }
  // A volume never shrinks, but a chain read by a newer size must not reach past the target's end.
  if (last) for (const o of image.keys()) if (o >= last.sizeBytes) image.delete(o);
  return image;
}

/**
 * Entries of an incremental made by comparing content (when the parent's driver snapshot is gone):
 * `current` has the chunk id (or null for zeroes) of every offset read, and every offset not read
 * is known to be zero. What equals the parent is left out.
 */
export function diffEntries(parent: ReadonlyMap<number, string>, current: ReadonlyMap<number, string | null>): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const offsets = new Set<number>([...parent.keys(), ...current.keys()]);
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    const now = current.get(offset) ?? null;
    if ((parent.get(offset) ?? null) !== now) out.push({ offset, chunk: now });
  }
  return out;
}

/**
 * The backup an incremental of `volumeId` builds on in `projectId`: the latest available one by data
 * time (then creation time), as Cinder chooses. Undefined when there is none (the incremental is refused).
 */
export function latestBackup(rows: readonly StoredResource<Backup>[], volumeId: string, projectId: string): StoredResource<Backup> | undefined {
  let best: StoredResource<Backup> | undefined;
  for (const r of rows) {
    if (r.projectId !== projectId || r.data.volumeId !== volumeId || r.data.status !== 'available') continue;
    if (!best || r.data.dataTimestamp > best.data.dataTimestamp || (r.data.dataTimestamp === best.data.dataTimestamp && r.createdAt > best.createdAt)) best = r;
  }
  return best;
}

/** True when another backup builds on `id`. */
export function hasDependents(rows: readonly StoredResource<Backup>[], id: string): boolean {
  return rows.some((r) => r.id !== id && r.data.parentId === id);
}

/** Whether deleting `id` may remove its bytes: no other record (an imported copy) that stays uses them. */
export function ownsData(rows: readonly StoredResource<Backup>[], id: string, dataId: string): boolean {
  return !rows.some((r) => r.id !== id && r.data.dataId === dataId && r.data.status !== 'deleting');
}

/** The driver snapshot a backup of a volume is read from and kept as the next incremental's base. */
export const baseRefOf = (backupId: string) => `backup-${backupId}`;
