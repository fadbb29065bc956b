/**
 * Image files in a directory (HOME/images/<id>): the ImageFiles port for the image API and the
 * ImageBytes port for the volume worker. qcow2 images are converted with `qemu-img convert` when a
 * volume is made from them (and when a volume is uploaded as qcow2), raw ones are read in place.
 * Layer: drivers; imports core/ports only.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageFiles, StoredImageFile } from '../../core/ports/image-files.js';
import type { ImageBytes } from '../../core/ports/volume-jobs.js';

const run = promisify(execFile);
const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"
const CHUNK = 4 * 1024 * 1024;

/** qcow2's virtual size from its header (bytes 24..31, big-endian), or null for anything else. */
export function qcow2VirtualSize(head: Uint8Array): number | null {
  if (head.length < 32) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0) !== QCOW2_MAGIC) return null;
  return Number(view.getBigUint64(24));
}

export class LocalImageStore implements ImageFiles, ImageBytes {
  constructor(private readonly dir: string) {}

  private path(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`bad image id ${id}`);
    return join(this.dir, id);
  }

  async put(imageId: string, bytes: Uint8Array): Promise<StoredImageFile> {
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(imageId)}.tmp`;
    await fs.writeFile(tmp, bytes);
    const fh = await fs.open(tmp, 'r');
    await fh.sync();
    await fh.close();
    await fs.rename(tmp, this.path(imageId));
    return {
      size: bytes.length,
      checksum: createHash('md5').update(bytes).digest('hex'),
      sha512: createHash('sha512').update(bytes).digest('hex'),
      virtualSize: qcow2VirtualSize(bytes) ?? bytes.length,
    };
  }

  async get(imageId: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.path(imageId));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(imageId: string): Promise<void> {
    await fs.rm(this.path(imageId), { force: true });
  }

  async readRaw(imageId: string): Promise<{ size: number; read(offset: number, length: number): Promise<Uint8Array>; close(): Promise<void> }> {
    let file = this.path(imageId);
    const head = Buffer.alloc(32);
    const probe = await fs.open(file, 'r');
    await probe.read(head, 0, 32, 0);
    await probe.close();
    let temp: string | null = null;
    if (qcow2VirtualSize(head) !== null) {
      temp = `${file}.raw-${process.pid}-${Date.now()}`;
      await run('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', file, temp]);
      file = temp;
    }
    const fh = await fs.open(file, 'r');
    const { size } = await fh.stat();
    return {
      size,
      async read(offset, length) {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buf, 0, length, offset);
        return bytesRead === length ? buf : buf.subarray(0, bytesRead);
      },
      async close() {
        await fh.close();
        if (temp) await fs.rm(temp, { force: true });
      },
    };
  }

  async writeRaw(
    imageId: string,
    size: number,
    read: (offset: number, length: number) => Promise<Uint8Array>,
    diskFormat: 'raw' | 'qcow2',
  ): Promise<{ size: number; checksum: string; sha512: string }> {
    await fs.mkdir(this.dir, { recursive: true });
    const target = this.path(imageId);
    const raw = `${target}.upload`;
    const fh = await fs.open(raw, 'w');
    try {
      for (let off = 0; off < size; off += CHUNK) {
        const chunk = await read(off, Math.min(CHUNK, size - off));
        // Holes stay holes in the file (sparse), so a thin volume uploads as a sparse raw file.
        if (chunk.some((b) => b !== 0)) await fh.write(chunk, 0, chunk.length, off);
      }
      await fh.truncate(size);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (diskFormat === 'qcow2') {
      await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, `${target}.tmp`]);
      await fs.rm(raw, { force: true });
      await fs.rename(`${target}.tmp`, target);
    } else {
      await fs.rename(raw, target);
    }
    const md5 = createHash('md5');
    const sha = createHash('sha512');
    const rf = await fs.open(target, 'r');
    const buf = Buffer.alloc(CHUNK);
    let total = 0;
    for (;;) {
      const { bytesRead } = await rf.read(buf, 0, CHUNK, total);
      if (bytesRead === 0) break;
      md5.update(buf.subarray(0, bytesRead));
      sha.update(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    await rf.close();
    return { size: total, checksum: md5.digest('hex'), sha512: sha.digest('hex') };
  }
}
