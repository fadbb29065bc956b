/**
 * The `local` backup repository: content-addressed, compressed, checksummed chunks and one manifest
 * per backup in a directory of its own (HOME/backups), apart from the volume store. Implements the
 * BackupRepository port; layout and crash rules in docs/backups.md.
 *
 *   chunks/<2 hex>/<sha256>   "PSBK" | u8 codec (0 raw, 1 deflate-raw) | u32 raw length | payload
 *   manifests/<dataId>.json   the manifest plus "checksum": SHA-256 of its canonical JSON
 *   tmp/                      files being written (emptied at open)
 *
 * Every file is written to tmp/, fsynced and renamed into place, so a crash leaves it absent or whole.
 * A manifest is renamed into place only after the chunks it names and their directory entries are
 * fsynced: no durable manifest ever names a chunk that a crash could lose. Layer: drivers; imports
 * core/ports only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import type { BackupFailure, BackupFailureCode, BackupManifest, BackupRepository, BackupSession } from '../../../core/ports/backup-repository.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);
const MAGIC = 0x5053424b; // "PSBK"
const HEADER = 9;
const FORMAT = 'pocketstack-backup/1';
const CHUNK_ID = /^[0-9a-f]{64}$/;
const DATA_ID = /^[A-Za-z0-9._-]{1,128}$/;

class RepositoryError extends Error implements BackupFailure {
  constructor(
    readonly code: BackupFailureCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function canonical(m: BackupManifest): string {
  const body = { format: FORMAT, dataId: m.dataId, parent: m.parent, sizeBytes: m.sizeBytes, chunkSize: m.chunkSize, createdAt: m.createdAt, entries: m.entries.map((e) => [e.offset, e.chunk]) };
  return JSON.stringify(body);
}

export interface LocalBackupRepositoryOptions {
  /** Bytes per chunk (default 1 MiB): the unit of deduplication and of incremental copies. */
  chunkSize?: number;
}

export class LocalBackupRepository implements BackupRepository {
  readonly chunkSize: number;
  private sessions = 0;
  private gcRunning: Promise<number> | null = null;
  private idle: Array<() => void> = [];

  private constructor(
    private readonly root: string,
    opts: LocalBackupRepositoryOptions,
  ) {
    this.chunkSize = opts.chunkSize ?? 1024 * 1024;
  }

  static async open(root: string, opts: LocalBackupRepositoryOptions = {}): Promise<LocalBackupRepository> {
    for (const d of ['chunks', 'manifests', 'tmp']) await fs.mkdir(join(root, d), { recursive: true });
    // Whatever is in tmp/ was being written when a process died: never renamed, never referenced.
    for (const f of await fs.readdir(join(root, 'tmp'))) await fs.rm(join(root, 'tmp', f), { force: true });
    return new LocalBackupRepository(root, opts);
  }

  private chunkPath(id: string): string {
    return join(this.root, 'chunks', id.slice(0, 2), id);
  }

  private manifestPath(dataId: string): string {
    if (!DATA_ID.test(dataId)) throw new RepositoryError('not_found', `invalid backup data id ${dataId}`);
    return join(this.root, 'manifests', `${dataId}.json`);
  }

  /** Writes `data` to tmp/, fsyncs it and renames it to `path`. */
  private async writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
    const tmp = join(this.root, 'tmp', randomUUID());
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
  }

  private async syncDir(dir: string): Promise<void> {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async session<T>(fn: (s: BackupSession) => Promise<T>): Promise<T> {
    while (this.gcRunning) await this.gcRunning.catch(() => undefined);
    this.sessions++;
    const dirty = new Set<string>();
    const s: BackupSession = {
      putChunk: async (data) => {
        const id = sha256(data);
        const path = this.chunkPath(id);
        if (await exists(path)) return { id, storedBytes: 0 };
        const packed = data.every((b) => b === 0) ? data : new Uint8Array(await deflate(data, { level: 1 }));
        const codec = packed.length < data.length ? 1 : 0;
        const payload = codec ? packed : data;
        const out = new Uint8Array(HEADER + payload.length);
        const view = new DataView(out.buffer);
        view.setUint32(0, MAGIC);
        view.setUint8(4, codec);
        view.setUint32(5, data.length);
        out.set(payload, HEADER);
        const dir = join(this.root, 'chunks', id.slice(0, 2));
        await fs.mkdir(dir, { recursive: true });
        await this.writeAtomic(path, out);
        dirty.add(dir);
        return { id, storedBytes: out.length };
      },
      writeManifest: async (m) => {
        // Data before metadata: every chunk's directory entry is durable before the manifest names it.
        for (const d of dirty) await this.syncDir(d);
        dirty.clear();
        await this.syncDir(join(this.root, 'chunks'));
        const text = canonical(m);
        const doc = JSON.stringify({ ...JSON.parse(text), checksum: sha256(Buffer.from(text)) });
        await this.writeAtomic(this.manifestPath(m.dataId), doc);
        await this.syncDir(join(this.root, 'manifests'));
      },
    };
    try {
      return await fn(s);
    } finally {
      this.sessions--;
      if (this.sessions === 0) for (const w of this.idle.splice(0)) w();
    }
  }

  async readManifest(dataId: string): Promise<BackupManifest | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.manifestPath(dataId), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RepositoryError('io', `cannot read the manifest of backup ${dataId}: ${(e as Error).message}`, true);
    }
    return parseManifest(dataId, text);
  }

  async readChunk(id: string): Promise<Uint8Array> {
    if (!CHUNK_ID.test(id)) throw new RepositoryError('corrupt', `invalid chunk id ${id}`);
    let raw: Buffer;
    try {
      raw = await fs.readFile(this.chunkPath(id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new RepositoryError('not_found', `backup chunk ${id} is missing`);
      throw new RepositoryError('io', `cannot read backup chunk ${id}: ${(e as Error).message}`, true);
    }
    const corrupt = () => new RepositoryError('corrupt', `backup chunk ${id} is corrupt (checksum mismatch)`);
    if (raw.length < HEADER || raw.readUInt32BE(0) !== MAGIC) throw corrupt();
    const codec = raw.readUInt8(4);
    const length = raw.readUInt32BE(5);
    let data: Uint8Array;
    try {
      data = codec === 1 ? new Uint8Array(await inflate(raw.subarray(HEADER))) : new Uint8Array(raw.subarray(HEADER));
    } catch {
      throw corrupt();
    }
    if (data.length !== length || sha256(data) !== id) throw corrupt();
    return data;
  }

  async deleteManifest(dataId: string): Promise<void> {
    await fs.rm(this.manifestPath(dataId), { force: true });
    await this.syncDir(join(this.root, 'manifests'));
  }

  async collectGarbage(): Promise<number> {
    while (this.gcRunning) await this.gcRunning.catch(() => undefined);
    if (this.sessions > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.gcRunning = this.sweep();
    try {
      return await this.gcRunning;
    } finally {
      this.gcRunning = null;
    }
  }

  /** Mark (chunks named by any manifest) and sweep (the rest). A manifest it cannot read stops it. */
  private async sweep(): Promise<number> {
    const live = new Set<string>();
    for (const f of await fs.readdir(join(this.root, 'manifests'))) {
      if (!f.endsWith('.json')) continue;
      const m = await this.readManifest(f.slice(0, -5));
      for (const e of m?.entries ?? []) if (e.chunk) live.add(e.chunk);
    }
    let removed = 0;
    for (const dir of await fs.readdir(join(this.root, 'chunks'))) {
      for (const id of await fs.readdir(join(this.root, 'chunks', dir))) {
        if (live.has(id)) continue;
        await fs.rm(join(this.root, 'chunks', dir, id), { force: true });
        removed++;
      }
    }
    return removed;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

function parseManifest(dataId: string, text: string): BackupManifest {
  const corrupt = () => new RepositoryError('corrupt', `the manifest of backup ${dataId} is corrupt (checksum mismatch)`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw corrupt();
  }
  if (doc['format'] !== FORMAT || !Array.isArray(doc['entries'])) throw corrupt();
  const m: BackupManifest = {
    dataId: String(doc['dataId']),
    parent: doc['parent'] === null ? null : String(doc['parent']),
    sizeBytes: Number(doc['sizeBytes']),
    chunkSize: Number(doc['chunkSize']),
    createdAt: String(doc['createdAt']),
    entries: (doc['entries'] as Array<[number, string | null]>).map(([offset, chunk]) => ({ offset, chunk })),
  };
  if (sha256(Buffer.from(canonical(m))) !== doc['checksum'] || m.dataId !== dataId) throw corrupt();
  return m;
}
