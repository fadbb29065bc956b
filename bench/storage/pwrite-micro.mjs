#!/usr/bin/env node
/**
 * What a 64 KiB write costs the kernel depending on where it lands, the figure behind the cost of
 * copy-on-write (docs/benchmarks.md): overwriting data already in the page cache, appending past the
 * end of the file, and filling holes of a sparse file. One file of SIZE bytes written first, then N
 * synchronous 64 KiB pwrites per case; prints microseconds per write.
 *   node bench/storage/pwrite-micro.mjs [DIR] [N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'ps-pwrite-'));
const N = Number(process.argv[3] ?? 8000);
const EXTENT = 65536;
const EXTENTS = 16384; // 1 GiB written first
const file = path.join(dir, 'data');
const fd = fs.openSync(file, 'w+');
const buf = Buffer.alloc(EXTENT, 7);
try {
  for (let i = 0; i < EXTENTS; i++) fs.writeSync(fd, buf, 0, EXTENT, i * EXTENT);
  const time = (name, pos, data = buf) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fs.writeSync(fd, data, 0, data.length, pos(i));
    console.log(`${name.padEnd(40)} ${(Number(process.hrtime.bigint() - t0) / N / 1000).toFixed(1)} us`);
  };
  const scattered = (i) => ((i * 7919) % EXTENTS) * EXTENT;
  time('64 KiB overwrite, in the page cache', scattered);
  time('64 KiB append past the end', (i) => (EXTENTS + i) * EXTENT);
  time('64 KiB into holes of a sparse region', (i) => (3 * EXTENTS + i * 3) * EXTENT);
  time('64 KiB overwrite again', scattered);
  time('4 KiB overwrite, in the page cache', (i) => scattered(i) + 4096, buf.subarray(0, 4096));
} finally {
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
}
