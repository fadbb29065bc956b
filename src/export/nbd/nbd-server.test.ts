import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { BlockDevice, LentBytes } from '../../core/ports/block-device.js';
import { LocalVolumeDriver } from '../../drivers/storage/local/local-volume-driver.js';
import { NbdServer } from './nbd-server.js';
import * as P from './protocol.js';
import { QosLimiter, qosFromCinderSpecs } from './qos.js';

const run = promisify(execFile);
const MiB = 2 ** 20;

function toolSkip(tool: string): string | false {
  for (const dir of (process.env.PATH ?? '').split(':')) if (fs.existsSync(path.join(dir, tool))) return false;
  if (process.env.CI === 'true') throw new Error(`${tool} is required in CI (apt-get install qemu-utils libnbd-bin)`);
  return `${tool} not installed`;
}

/** A raw NBD client for protocol tests: send bytes, read exactly n bytes back. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  constructor(readonly sock: net.Socket) {
    sock.on('data', (b) => {
      this.buf = Buffer.concat([this.buf, b]);
      this.waiters.splice(0).forEach((w) => w());
    });
    sock.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    sock.on('error', () => undefined);
  }
  static connect(p: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(p, () => resolve(new RawClient(s)));
      s.on('error', reject);
    });
  }
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`connection closed with ${this.buf.length}/${n} bytes`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }
  write(b: Buffer): void {
    this.sock.write(b);
  }
  /** Handshake + optional structured replies + OPT_GO; returns transmission flags. */
  async go(name: string, structured = false): Promise<number> {
    await this.read(18);
    this.write(u32(P.FLAG_FIXED_NEWSTYLE | P.FLAG_NO_ZEROES));
    if (structured) {
      this.write(option(P.Opt.STRUCTURED_REPLY, Buffer.alloc(0)));
      const r = await this.optReply();
      assert.equal(r.type, P.REP_ACK);
    }
    const n = Buffer.from(name);
    this.write(option(P.Opt.GO, Buffer.concat([u32(n.length), n, Buffer.from([0, 0])])));
    let flags = -1;
    for (;;) {
      const r = await this.optReply();
      if (r.type === P.REP_INFO && r.data.readUInt16BE(0) === P.INFO_EXPORT) flags = r.data.readUInt16BE(10);
      if (r.type === P.REP_ACK) return flags;
      if (r.type & 0x80000000) throw new Error(`GO refused: ${r.type.toString(16)}`);
    }
  }
  async optReply(): Promise<{ type: number; data: Buffer }> {
    const h = await this.read(20);
    assert.equal(h.readBigUInt64BE(0), P.OPT_REPLY_MAGIC);
    const len = h.readUInt32BE(16);
    return { type: h.readUInt32BE(12), data: await this.read(len) };
  }
  request(type: number, handle: number, offset: number, len: number, flags = 0, data?: Buffer): void {
    const h = Buffer.alloc(28);
    h.writeUInt32BE(P.REQUEST_MAGIC, 0);
    h.writeUInt16BE(flags, 4);
    h.writeUInt16BE(type, 6);
    h.writeBigUInt64BE(BigInt(handle), 8);
    h.writeBigUInt64BE(BigInt(offset), 16);
    h.writeUInt32BE(len, 24);
    this.write(data ? Buffer.concat([h, data]) : h);
  }
  async simpleReply(dataLen = 0): Promise<{ error: number; handle: number; data: Buffer }> {
    const h = await this.read(16);
    assert.equal(h.readUInt32BE(0), P.SIMPLE_REPLY_MAGIC);
    const error = h.readUInt32BE(4);
    return { error, handle: Number(h.readBigUInt64BE(8)), data: error ? Buffer.alloc(0) : await this.read(dataLen) };
  }
  end(): void {
    this.sock.destroy();
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function option(opt: number, data: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeBigUInt64BE(P.IHAVEOPT, 0);
  h.writeUInt32BE(opt, 8);
  h.writeUInt32BE(data.length, 12);
  return Buffer.concat([h, data]);
}

describe('NbdServer', () => {
  let dir: string;
  let driver: LocalVolumeDriver;
  let server: NbdServer;
  let sock: string;
  const uri = (name: string): string => `nbd+unix:///${name}?socket=${sock}`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-nbd-'));
    driver = await LocalVolumeDriver.open(path.join(dir, 'store'));
    await driver.create('v', 64 * MiB);
    server = new NbdServer();
    server.addExport('vol', await driver.open('v', 'rw'));
    server.addExport('vol-ro', await driver.open('v', 'ro'), { readOnly: true });
    sock = path.join(dir, 'nbd.sock');
    await server.listen({ path: sock });
  });
  after(async () => {
    await server.close();
    await driver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('qemu-io writes a pattern and reads it back; nbdinfo --map shows the allocation', { skip: toolSkip('qemu-io') || toolSkip('nbdinfo') }, async () => {
    await run('qemu-io', ['-f', 'raw', uri('vol'), '-c', 'write -P 0xa5 1M 3M', '-c', 'flush', '-c', 'write -P 0x5a 100 1000']);
    const { stdout } = await run('qemu-io', ['-f', 'raw', uri('vol'), '-c', 'read -P 0xa5 1M 3M', '-c', 'read -P 0x5a 100 1000', '-c', 'read -P 0 1100 1000']);
    assert.doesNotMatch(stdout, /Pattern verification failed/);
    assert.match(stdout, /read 3145728\/3145728/);
    const map = await run('nbdinfo', ['--map', '--json', uri('vol')]);
    const extents = JSON.parse(map.stdout) as { offset: number; length: number; type: number }[];
    const data = extents.filter((e) => (e.type & 1) === 0);
    assert.deepEqual(data.map((e) => [e.offset, e.length]), [[0, 65536], [MiB, 3 * MiB]]);
    const { stdout: list } = await run('nbdinfo', ['--list', `nbd+unix:///?socket=${sock}`]);
    assert.match(list, /export="vol"/);
  });

  it('qemu-img compare: a clone exported over NBD equals its source', { skip: toolSkip('qemu-img') || toolSkip('qemu-io') }, async () => {
    await run('qemu-io', ['-f', 'raw', uri('vol'), '-c', 'write -P 0x33 8M 2M', '-c', 'flush']);
    await driver.snapshot('v', 'snap-cmp');
    await driver.clone('snap-cmp', 'clone-cmp');
    const clone = await driver.open('clone-cmp', 'ro');
    const snap = await driver.open('snap-cmp', 'ro');
    server.addExport('clone', clone, { readOnly: true });
    server.addExport('snap', snap, { readOnly: true });
    try {
      await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', uri('snap'), uri('clone')]);
      await run('qemu-io', ['-f', 'raw', uri('vol'), '-c', 'write -P 0x44 8M 4k']);
      await assert.rejects(run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', uri('vol'), uri('clone')]), (e: { code?: number }) => e.code === 1);
    } finally {
      server.removeExport('clone');
      server.removeExport('snap');
      await clone.close();
      await snap.close();
    }
  });

  it('a read-only export refuses writes (qemu-io and raw EPERM)', { skip: toolSkip('qemu-io') }, async () => {
    await assert.rejects(run('qemu-io', ['-f', 'raw', uri('vol-ro'), '-c', 'write -P 1 0 4k']), /Permission denied|read-only|read only/i);
    const c = await RawClient.connect(sock);
    const flags = await c.go('vol-ro');
    assert.ok(flags & P.TF_READ_ONLY);
    c.request(P.Cmd.WRITE, 7, 0, 512, 0, Buffer.alloc(512, 9));
    const r = await c.simpleReply();
    assert.equal(r.error, P.EPERM);
    assert.equal(r.handle, 7);
    c.end();
  });

  it('refuses unknown export names (GO gets ERR_UNKNOWN, EXPORT_NAME hangs up)', async () => {
    const c = await RawClient.connect(sock);
    await assert.rejects(c.go('nope'), /GO refused: 80000006/);
    c.write(option(P.Opt.EXPORT_NAME, Buffer.from('nope')));
    await c.waitClosed();
  });

  it('pipelined requests, structured reads, block status and errors for bad ranges and commands', async () => {
    const c = await RawClient.connect(sock);
    await c.read(18);
    c.write(u32(P.FLAG_FIXED_NEWSTYLE | P.FLAG_NO_ZEROES));
    c.write(option(P.Opt.STRUCTURED_REPLY, Buffer.alloc(0)));
    assert.equal((await c.optReply()).type, P.REP_ACK);
    const q = Buffer.from(P.META_BASE_ALLOCATION);
    c.write(option(P.Opt.SET_META_CONTEXT, Buffer.concat([u32(3), Buffer.from('vol'), u32(1), u32(q.length), q])));
    const ctx = await c.optReply();
    assert.equal(ctx.type, P.REP_META_CONTEXT);
    assert.equal(ctx.data.readUInt32BE(0), P.CONTEXT_ID_BASE_ALLOCATION);
    assert.equal((await c.optReply()).type, P.REP_ACK);
    c.write(option(P.Opt.GO, Buffer.concat([u32(3), Buffer.from('vol'), Buffer.from([0, 0])])));
    while ((await c.optReply()).type !== P.REP_ACK);
    // four requests in one go; replies may come in any order
    c.request(P.Cmd.WRITE, 1, 40 * MiB, 4096, P.CMD_FLAG_FUA, Buffer.alloc(4096, 0x77));
    c.request(P.Cmd.READ, 2, 64 * MiB - 512, 1024); // past the end
    c.request(99, 3, 0, 0); // unknown command
    c.request(P.Cmd.WRITE, 4, 2 ** 50, 16, 0, Buffer.alloc(16)); // absurd offset, payload follows
    const replies = new Map<number, { type: number; error: number; payload: Buffer }>();
    let want = 4;
    while (replies.size < want) {
      const h = await c.read(4);
      if (h.readUInt32BE(0) === P.SIMPLE_REPLY_MAGIC) {
        const rest = await c.read(12);
        replies.set(Number(rest.readBigUInt64BE(4)), { type: -1, error: rest.readUInt32BE(0), payload: Buffer.alloc(0) });
      } else {
        assert.equal(h.readUInt32BE(0), P.STRUCTURED_REPLY_MAGIC);
        const rest = await c.read(16);
        const payload = await c.read(rest.readUInt32BE(12));
        const type = rest.readUInt16BE(2);
        replies.set(Number(rest.readBigUInt64BE(4)), { type, error: type === P.REPLY_TYPE_ERROR ? payload.readUInt32BE(0) : 0, payload });
      }
    }
    assert.equal(replies.get(1)!.error, 0);
    assert.equal(replies.get(2)!.error, P.EINVAL);
    assert.equal(replies.get(3)!.error, P.EINVAL);
    assert.equal(replies.get(4)!.error, P.ENOSPC);
    // block status only after the write was acknowledged: NBD does not order pipelined requests
    c.request(P.Cmd.BLOCK_STATUS, 5, 40 * MiB, 2 * MiB);
    want = 5;
    while (replies.size < want) {
      const h = await c.read(20);
      const payload = await c.read(h.readUInt32BE(16));
      replies.set(Number(h.readBigUInt64BE(8)), { type: h.readUInt16BE(6), error: 0, payload });
    }
    const bs = replies.get(5)!;
    assert.equal(bs.type, P.REPLY_TYPE_BLOCK_STATUS);
    assert.equal(bs.payload.readUInt32BE(4), 65536); // first extent: the one written
    assert.equal(bs.payload.readUInt32BE(8), 0); // allocated
    assert.equal(bs.payload.readUInt32BE(16), P.STATE_HOLE | P.STATE_ZERO);
    c.request(P.Cmd.READ, 6, 40 * MiB, 4096);
    const h = await c.read(20);
    assert.equal(h.readUInt16BE(6), P.REPLY_TYPE_OFFSET_DATA);
    const body = await c.read(h.readUInt32BE(16));
    assert.equal(Number(body.readBigUInt64BE(0)), 40 * MiB);
    assert.deepEqual(body.subarray(8), Buffer.alloc(4096, 0x77));
    // zeroes written (NO_HOLE) inside an allocated extent are reported as zero, not as data
    c.request(P.Cmd.WRITE_ZEROES, 8, 40 * MiB, 8192, P.CMD_FLAG_NO_HOLE);
    const z = await c.read(16);
    assert.equal(z.readUInt32BE(0), P.SIMPLE_REPLY_MAGIC);
    assert.equal(z.readUInt32BE(4), 0);
    c.request(P.Cmd.BLOCK_STATUS, 9, 40 * MiB, 65536);
    const zh = await c.read(20);
    const zs = await c.read(zh.readUInt32BE(16));
    assert.deepEqual([zs.readUInt32BE(4), zs.readUInt32BE(8), zs.readUInt32BE(12), zs.readUInt32BE(16)], [8192, P.STATE_ZERO, 65536 - 8192, 0]);
    c.request(P.Cmd.DISC, 7, 0, 0);
    await c.waitClosed();
  });

  it('large reads from lent buffers arrive whole while the client lags, and every loan goes back', async () => {
    const inner = await driver.open('v', 'rw');
    let lent = 0;
    let back = 0;
    const counted: BlockDevice = Object.assign(Object.create(inner) as BlockDevice, {
      async readLent(offset: number, length: number): Promise<LentBytes> {
        const l = await inner.readLent!(offset, length);
        lent++;
        let done = false;
        return {
          data: l.data,
          release: () => {
            assert.ok(!done, 'a loan is released once');
            done = true;
            back++;
            l.release();
          },
        };
      },
    });
    server.addExport('lent', counted);
    const pattern = (k: number): Buffer => Buffer.alloc(MiB, 0x10 + k);
    const base = 16 * MiB;
    const c = await RawClient.connect(sock);
    await c.go('lent');
    for (let k = 0; k < 8; k++) c.request(P.Cmd.WRITE, 100 + k, base + k * MiB, MiB, 0, pattern(k));
    for (let k = 0; k < 8; k++) assert.equal((await c.simpleReply()).error, 0);
    // Three waves of 1 MiB reads while the client reads nothing: the replies wait in the server's
    // socket buffer, and a slab given back before its bytes were written would be refilled by the
    // next wave's reads. Each reply must carry its own MiB.
    c.sock.pause();
    for (let w = 0; w < 3; w++) {
      for (let i = 0; i < 8; i++) c.request(P.Cmd.READ, 200 + w * 8 + i, base + ((i + w) % 8) * MiB, MiB);
      await new Promise((r) => setTimeout(r, 100));
    }
    c.sock.resume();
    for (let i = 0; i < 24; i++) {
      const r = await c.simpleReply(MiB);
      assert.equal(r.error, 0);
      const n = r.handle - 200;
      const k = ((n % 8) + Math.floor(n / 8)) % 8;
      assert.ok(r.data.equals(pattern(k)), `reply ${r.handle} holds MiB ${k}`);
    }
    assert.equal(lent, 24);
    // A client that hangs up with replies unsent: the loans still come back.
    for (let i = 0; i < 20; i++) c.request(P.Cmd.READ, 300 + i, base + (i % 8) * MiB, MiB);
    while (lent < 25) await new Promise((r) => setTimeout(r, 5));
    c.end();
    for (let t = 0; t < 200 && back < lent; t++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(back, lent, `all ${lent} loans went back`);
    server.removeExport('lent');
    await inner.close();
  });

  it('survives garbage, truncated handshakes, huge lengths and disconnects mid-write', async () => {
    const before = Buffer.from(await (await driver.open('v', 'ro')).read(0, 2 * MiB));
    const attacks: ((c: RawClient) => Promise<void>)[] = [
      async (c) => c.write(Buffer.from('GET / HTTP/1.1\r\n\r\n')), // bad client flags -> hang up
      async (c) => {
        await c.read(18);
        c.write(u32(1));
        c.write(Buffer.from('IHAVEOP')); // truncated option header, then disconnect
      },
      async (c) => {
        await c.read(18);
        c.write(u32(3));
        c.write(option(P.Opt.GO, Buffer.from([0, 0, 0, 200, 1]))); // malformed GO
        assert.equal((await c.optReply()).type, P.REP_ERR_INVALID);
        c.write(option(1234, Buffer.alloc(3)));
        assert.equal((await c.optReply()).type, P.REP_ERR_UNSUP);
        const h = Buffer.alloc(16);
        h.writeBigUInt64BE(P.IHAVEOPT, 0);
        h.writeUInt32BE(P.Opt.GO, 8);
        h.writeUInt32BE(0xffffffff, 12); // 4 GiB option: hang up rather than buffer it
        c.write(h);
        await c.waitClosed();
      },
      async (c) => {
        await c.go('vol');
        c.request(P.Cmd.WRITE, 1, 0, 40 * MiB, 0, Buffer.alloc(1000, 0xee)); // huge write, then vanish mid-payload
      },
      async (c) => {
        await c.go('vol');
        c.request(P.Cmd.WRITE, 1, 0, 1 << 20, 0, Buffer.alloc(1000, 0xee)); // partial payload, disconnect
      },
      async (c) => {
        await c.go('vol');
        const bad = Buffer.alloc(28, 0xab); // bad request magic
        c.write(bad);
        await c.waitClosed();
      },
      async (c) => {
        await c.go('vol');
        for (let i = 0; i < 50; i++) c.request(P.Cmd.READ, i, (i * 977) % (64 * MiB), 8192);
      },
      async (c) => {
        await c.read(18);
        c.write(Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 0xff)));
      },
    ];
    for (const attack of attacks) {
      const c = await RawClient.connect(sock);
      await attack(c).catch(() => undefined);
      c.end();
    }
    await new Promise((r) => setTimeout(r, 50));
    // The server still serves, and nothing of the aborted writes landed.
    const c = await RawClient.connect(sock);
    await c.go('vol');
    c.request(P.Cmd.READ, 1, 0, 2 * MiB);
    const r = await c.simpleReply(2 * MiB);
    assert.equal(r.error, 0);
    assert.deepEqual(r.data, before);
    c.end();
    assert.equal((await driver.check()).ok, true);
  });

  it('removeExport closes its connections; QoS delays I/O instead of failing it', async () => {
    const dev = await driver.open('v', 'ro');
    server.addExport('slow', dev, { readOnly: true, qos: qosFromCinderSpecs({ total_iops_sec: '20', read_bytes_sec: 10 * MiB }) });
    const c = await RawClient.connect(sock);
    await c.go('slow');
    const t0 = performance.now();
    for (let i = 0; i < 30; i++) c.request(P.Cmd.READ, i, 0, 512);
    for (let i = 0; i < 30; i++) assert.equal((await c.simpleReply(512)).error, 0);
    const elapsed = performance.now() - t0;
    assert.ok(elapsed > 400, `30 reads at 20 IOPS with a 20-token burst take >= 0.5 s (took ${elapsed.toFixed(0)} ms)`);
    server.removeExport('slow');
    await c.waitClosed();
    await dev.close();
  });
});

describe('QosLimiter', () => {
  it('reserves tokens per kind and computes the wait from the deepest bucket', () => {
    let now = 0;
    const q = new QosLimiter({ writeIopsSec: 10, totalBytesSec: 1000 }, () => now);
    assert.equal(q.reserve('read', 500), 0);
    assert.equal(q.reserve('read', 500), 0);
    assert.equal(q.reserve('read', 500), 500); // 500 bytes of debt at 1000 B/s
    now = 2000;
    for (let i = 0; i < 10; i++) assert.equal(q.reserve('write', 0), 0);
    assert.equal(q.reserve('write', 0), 100);
    assert.deepEqual(qosFromCinderSpecs({ total_iops_sec: '5', bogus: '1', read_bytes_sec: '-3' }), { totalIopsSec: 5 });
  });
});
