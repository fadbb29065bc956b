/**
 * Scattered reads off the event loop in one job: a worker thread that fills a buffer from several
 * positions of the data file with synchronous preads and hands it back. Layer: drivers/storage/local;
 * node:worker_threads only.
 *
 * Why: a volume with snapshot history resolves a 1 MiB read to a dozen runs scattered over the data
 * file (copy-on-write moves every rewritten extent). Node's thread pool reads one position per job, so
 * the runs would cost a dozen round trips. Up to a bound (8 x syncIoMax, 1 MiB by default) the device
 * reads them on the event loop, which measured cheapest; beyond it, reading them there would hold
 * the loop away from the NBD sockets too long, so they come here: one message each way, whatever the
 * number of runs.
 *
 * The bytes land in one of two kinds of buffer, both without a copy: a slab of the store's SlabPool
 * (shared memory; each worker receives a slab once and keeps its view, later reads name it by index,
 * and the reply is just the read's id), or a buffer the caller allocated, which moves to the worker
 * and back by transfer. Either way the caller has zero-filled the holes. The worker starts on first
 * use and does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { SlabPool } from './slab-pool.js';

/** The worker's code, evaluated as a CommonJS script (the CLI is one bundle: no second file to load). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const slabs = [];
parentPort.on('message', (m) => {
  if (m.sab) slabs[m.slab] = Buffer.from(m.sab);
  const buf = m.slab >= 0 ? slabs[m.slab] : Buffer.from(m.buf);
  const runs = m.runs;
  try {
    for (let i = 0; i < runs.length; i += 3) {
      const off = runs[i], len = runs[i + 1], pos = runs[i + 2];
      let done = 0;
      while (done < len) {
        const n = fs.readSync(m.fd, buf, off + done, len - done, pos + done);
        if (n === 0) { buf.fill(0, off + done, off + len); break; }
        done += n;
      }
    }
    if (m.slab >= 0) parentPort.postMessage({ id: m.id });
    else parentPort.postMessage({ id: m.id, buf: m.buf }, [m.buf]);
  } catch (e) {
    const error = String(e && e.message || e);
    if (m.slab >= 0) parentPort.postMessage({ id: m.id, error });
    else parentPort.postMessage({ id: m.id, buf: m.buf, error }, [m.buf]);
  }
});
`;

interface Pending {
  /** The buffer the bytes landed in: the slab's view, or (transferred) the worker's reply. */
  resolve: (b: Buffer | null) => void;
  reject: (e: Error) => void;
}

interface Reply {
  id: number;
  buf?: ArrayBuffer;
  error?: string;
}

/** One worker, the reads it has in flight and the slabs it holds a view of. */
class ReadWorker {
  readonly pending = new Map<number, Pending>();
  readonly slabs = new Set<number>();
  constructor(readonly worker: Worker) {}
}

export class ScatterReader {
  private readonly workers: (ReadWorker | null)[];
  private nextId = 1;

  /**
   * `slabs`: the pool readSlab's indexes refer to. `threads`: workers to spread reads over (each starts
   * on first use); default from the environment.
   */
  constructor(
    private readonly slabs: SlabPool,
    threads = threadsFromEnv(process.env.POCKETSTACK_SCATTER_THREADS),
  ) {
    this.workers = new Array<ReadWorker | null>(threads).fill(null);
  }

  /**
   * Fills the first bytes of slab `slab` (whose holes the caller zeroed in `view`) from `runs`, as
   * read() does; resolves with `view` once the worker is done.
   */
  readSlab(fd: number, slab: number, view: Buffer, runs: number[]): Promise<Buffer> {
    const w = this.pick();
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      w.pending.set(id, { resolve: () => resolve(view), reject });
      if (w.pending.size === 1) w.worker.ref();
      if (w.slabs.has(slab)) w.worker.postMessage({ id, fd, runs, slab });
      else {
        w.slabs.add(slab);
        w.worker.postMessage({ id, fd, runs, slab, sab: this.slabs.slabs[slab] });
      }
    });
  }

  /**
   * Fills `buf` (which must own its whole ArrayBuffer: Buffer.allocUnsafeSlow) from `runs`, triples of
   * [offset in buf, length, position in the file]; past EOF reads as zeroes. Resolves with the filled
   * buffer (a new Buffer over the same memory: `buf` itself is detached by the transfer).
   */
  read(fd: number, buf: Buffer, runs: number[]): Promise<Buffer> {
    if (buf.byteOffset !== 0 || buf.byteLength !== buf.buffer.byteLength) {
      throw new Error('ScatterReader needs a buffer that owns its memory');
    }
    const w = this.pick();
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      w.pending.set(id, { resolve: (b) => resolve(b!), reject });
      if (w.pending.size === 1) w.worker.ref();
      w.worker.postMessage({ id, fd, runs, slab: -1, buf: buf.buffer }, [buf.buffer as ArrayBuffer]);
    });
  }

  /** Stops the workers; reads still in flight fail. */
  async close(): Promise<void> {
    const all = this.workers.slice();
    this.workers.fill(null);
    await Promise.all(all.map(async (w) => {
      if (!w) return;
      await w.worker.terminate();
      failAll(w, new Error('scatter reader closed'));
    }));
  }

  /** The worker with the fewest reads in flight (an idle one, started if need be). */
  private pick(): ReadWorker {
    let best: ReadWorker | null = null;
    for (let i = 0; i < this.workers.length; i++) {
      const w = this.workers[i] ?? (this.workers[i] = this.start(i));
      if (w.pending.size === 0) return w;
      if (!best || w.pending.size < best.pending.size) best = w;
    }
    return best!;
  }

  private start(slot: number): ReadWorker {
    const rw = new ReadWorker(new Worker(WORKER_SOURCE, { eval: true }));
    const w = rw.worker;
    const gone = (e: Error): void => {
      if (this.workers[slot] === rw) this.workers[slot] = null;
      failAll(rw, e);
    };
    w.on('message', (m: Reply) => {
      const p = rw.pending.get(m.id);
      if (!p) return;
      rw.pending.delete(m.id);
      if (rw.pending.size === 0) w.unref();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.buf ? Buffer.from(m.buf) : null);
    });
    w.on('error', gone);
    w.on('exit', () => gone(new Error('scatter reader stopped')));
    w.unref();
    return rw;
  }
}

/** POCKETSTACK_SCATTER_THREADS: a whole number from 1 to 16; anything else means the default, 2. */
export function threadsFromEnv(v: string | undefined): number {
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) && n >= 1 && n <= 16 ? n : 2;
}

function failAll(w: ReadWorker, e: Error): void {
  const all = [...w.pending.values()];
  w.pending.clear();
  for (const p of all) p.reject(e);
}
