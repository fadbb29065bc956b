/**
 * One NBD client connection: the fixed newstyle handshake, then the transmission phase with
 * pipelined requests (each runs as soon as it is parsed; replies go out in completion order).
 * Layer: export/nbd; imports core/ports (BlockDevice) and node:net types only.
 *
 * Anything the protocol cannot recover from (bad magic, an option or payload too big to skip safely,
 * unknown client flags) closes the connection; anything else gets an error reply and the connection
 * goes on. A failure of one connection never reaches the server or other connections.
 */
import type { Socket } from 'node:net';
import type { BlockDevice } from '../../core/ports/block-device.js';
import { ByteQueue } from './byte-queue.js';
import * as P from './protocol.js';
import type { QosLimiter } from './qos.js';

export interface ExportEntry {
  name: string;
  device: BlockDevice;
  readOnly: boolean;
  qos: QosLimiter | null;
}

export interface ExportLookup {
  get(name: string): ExportEntry | undefined;
  names(): string[];
}

const FUA = { fua: true } as const;
const NO_FUA = { fua: false } as const;

/** Requests allowed in flight per connection before we stop reading the socket (backpressure). */
const MAX_INFLIGHT = 128;

type State =
  | { s: 'clientFlags' }
  | { s: 'optHeader' }
  | { s: 'optData'; opt: number; len: number }
  | { s: 'request' }
  | { s: 'writeData'; flags: number; handle: Buffer; offset: number; len: number }
  | { s: 'discard'; left: number; handle: Buffer; error: number }
  | { s: 'closed' };

export class NbdConnection {
  private readonly q = new ByteQueue();
  private state: State = { s: 'clientFlags' };
  private noZeroes = false;
  private structured = false;
  private metaExport: string | null = null;
  private metaAllocation = false;
  private export: ExportEntry | null = null;
  private inflight = 0;
  private paused = false;
  private disconnecting = false;

  constructor(
    readonly socket: Socket,
    private readonly exports: ExportLookup,
    private readonly onClose: (c: NbdConnection) => void,
  ) {
    socket.setNoDelay?.(true);
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    const hello = Buffer.alloc(18);
    hello.writeBigUInt64BE(P.NBDMAGIC, 0);
    hello.writeBigUInt64BE(P.IHAVEOPT, 8);
    hello.writeUInt16BE(P.FLAG_FIXED_NEWSTYLE | P.FLAG_NO_ZEROES, 16);
    socket.write(hello);
  }

  get exportName(): string | null {
    return this.export?.name ?? null;
  }

  close(): void {
    if (this.state.s === 'closed') return;
    this.state = { s: 'closed' };
    this.socket.destroy();
    this.onClose(this);
  }

  // ---- parsing loop ---------------------------------------------------------------------------------

  private onData(b: Buffer): void {
    if (this.state.s === 'closed') return;
    this.q.push(b);
    try {
      this.pump();
    } catch (e) {
      if (process.env.NBD_DEBUG) console.error('nbd parser error', e);
      this.close(); // a parser bug must not take the server down
    }
  }

  private pump(): void {
    for (;;) {
      const st = this.state;
      switch (st.s) {
        case 'closed':
          return;
        case 'clientFlags': {
          if (this.q.length < 4) return;
          const flags = this.q.take(4).readUInt32BE(0);
          if (flags & ~(P.FLAG_FIXED_NEWSTYLE | P.FLAG_NO_ZEROES)) return this.close();
          this.noZeroes = (flags & P.FLAG_NO_ZEROES) !== 0;
          this.state = { s: 'optHeader' };
          break;
        }
        case 'optHeader': {
          if (this.q.length < 16) return;
          const h = this.q.take(16);
          if (h.readBigUInt64BE(0) !== P.IHAVEOPT) return this.close();
          const opt = h.readUInt32BE(8);
          const len = h.readUInt32BE(12);
          if (len > P.MAX_OPTION) return this.close();
          this.state = { s: 'optData', opt, len };
          break;
        }
        case 'optData': {
          if (this.q.length < st.len) return;
          const data = Buffer.from(this.q.take(st.len));
          this.state = { s: 'optHeader' };
          this.handleOption(st.opt, data);
          break;
        }
        case 'request': {
          if (this.paused || this.disconnecting) return;
          if (this.q.length < 28) return;
          const h = this.q.take(28);
          if (h.readUInt32BE(0) !== P.REQUEST_MAGIC) return this.close();
          const flags = h.readUInt16BE(4);
          const type = h.readUInt16BE(6);
          const handle = Buffer.from(h.subarray(8, 16));
          const offset = Number(h.readBigUInt64BE(16));
          const len = h.readUInt32BE(24);
          if (type === P.Cmd.WRITE) {
            if (len > P.MAX_PAYLOAD) this.state = { s: 'discard', left: len, handle, error: P.EINVAL };
            else this.state = { s: 'writeData', flags, handle, offset, len };
            break;
          }
          this.dispatch(type, flags, handle, offset, len, null);
          break;
        }
        case 'writeData': {
          if (this.paused) return;
          if (this.q.length < st.len) return;
          const data = this.q.take(st.len);
          this.state = { s: 'request' };
          this.dispatch(P.Cmd.WRITE, st.flags, st.handle, st.offset, st.len, data);
          break;
        }
        case 'discard': {
          st.left -= this.q.skip(st.left);
          if (st.left > 0) return;
          this.state = { s: 'request' };
          this.replyError(st.handle, st.error, false, 'payload too large');
          break;
        }
      }
    }
  }

  // ---- handshake ------------------------------------------------------------------------------------

  private optReply(opt: number, type: number, data?: Buffer): void {
    const h = Buffer.alloc(20);
    h.writeBigUInt64BE(P.OPT_REPLY_MAGIC, 0);
    h.writeUInt32BE(opt, 8);
    h.writeUInt32BE(type, 12);
    h.writeUInt32BE(data?.length ?? 0, 16);
    this.socket.write(data ? Buffer.concat([h, data]) : h);
  }

  private optError(opt: number, type: number, message: string): void {
    this.optReply(opt, type, Buffer.from(message));
  }

  private handleOption(opt: number, data: Buffer): void {
    switch (opt) {
      case P.Opt.EXPORT_NAME: {
        const e = this.exports.get(data.toString('utf8'));
        if (!e) return this.close(); // this option has no error reply: the spec says hang up
        const b = Buffer.alloc(this.noZeroes ? 10 : 134);
        b.writeBigUInt64BE(BigInt(e.device.size), 0);
        b.writeUInt16BE(this.transmissionFlags(e), 8);
        this.socket.write(b);
        return this.enterTransmission(e);
      }
      case P.Opt.ABORT:
        this.optReply(opt, P.REP_ACK);
        this.socket.end();
        this.state = { s: 'closed' };
        this.onClose(this);
        return;
      case P.Opt.LIST: {
        if (data.length !== 0) return this.optError(opt, P.REP_ERR_INVALID, 'LIST takes no data');
        for (const name of this.exports.names()) {
          const n = Buffer.from(name);
          const b = Buffer.alloc(4 + n.length);
          b.writeUInt32BE(n.length, 0);
          n.copy(b, 4);
          this.optReply(opt, P.REP_SERVER, b);
        }
        return this.optReply(opt, P.REP_ACK);
      }
      case P.Opt.INFO:
      case P.Opt.GO:
        return this.handleInfoGo(opt, data);
      case P.Opt.STRUCTURED_REPLY:
        if (data.length !== 0) return this.optError(opt, P.REP_ERR_INVALID, 'STRUCTURED_REPLY takes no data');
        this.structured = true;
        return this.optReply(opt, P.REP_ACK);
      case P.Opt.LIST_META_CONTEXT:
      case P.Opt.SET_META_CONTEXT:
        return this.handleMetaContext(opt, data);
      default:
        return this.optError(opt, P.REP_ERR_UNSUP, `option ${opt} not supported`);
    }
  }

  /** Parses `u32 len, name` at `o`; null when it does not fit. */
  private static readString(data: Buffer, o: number): { value: string; next: number } | null {
    if (o + 4 > data.length) return null;
    const len = data.readUInt32BE(o);
    if (o + 4 + len > data.length) return null;
    return { value: data.toString('utf8', o + 4, o + 4 + len), next: o + 4 + len };
  }

  private handleInfoGo(opt: number, data: Buffer): void {
    const name = NbdConnection.readString(data, 0);
    if (!name || name.next + 2 > data.length) return this.optError(opt, P.REP_ERR_INVALID, 'malformed request');
    const n = data.readUInt16BE(name.next);
    if (name.next + 2 + n * 2 !== data.length) return this.optError(opt, P.REP_ERR_INVALID, 'malformed request');
    const wanted = new Set<number>();
    for (let i = 0; i < n; i++) wanted.add(data.readUInt16BE(name.next + 2 + i * 2));
    const e = this.exports.get(name.value);
    if (!e) return this.optError(opt, P.REP_ERR_UNKNOWN, `unknown export '${name.value}'`);
    const info = Buffer.alloc(12);
    info.writeUInt16BE(P.INFO_EXPORT, 0);
    info.writeBigUInt64BE(BigInt(e.device.size), 2);
    info.writeUInt16BE(this.transmissionFlags(e), 10);
    this.optReply(opt, P.REP_INFO, info);
    if (wanted.has(P.INFO_NAME)) {
      const nb = Buffer.from(e.name);
      const b = Buffer.alloc(2 + nb.length);
      b.writeUInt16BE(P.INFO_NAME, 0);
      nb.copy(b, 2);
      this.optReply(opt, P.REP_INFO, b);
    }
    if (wanted.has(P.INFO_BLOCK_SIZE)) {
      const b = Buffer.alloc(14);
      b.writeUInt16BE(P.INFO_BLOCK_SIZE, 0);
      b.writeUInt32BE(1, 2);
      b.writeUInt32BE(4096, 6);
      b.writeUInt32BE(P.MAX_PAYLOAD, 10);
      this.optReply(opt, P.REP_INFO, b);
    }
    this.optReply(opt, P.REP_ACK);
    if (opt === P.Opt.GO) this.enterTransmission(e);
  }

  private handleMetaContext(opt: number, data: Buffer): void {
    const set = opt === P.Opt.SET_META_CONTEXT;
    if (set && !this.structured) return this.optError(opt, P.REP_ERR_INVALID, 'structured replies not negotiated');
    const name = NbdConnection.readString(data, 0);
    if (!name || name.next + 4 > data.length) return this.optError(opt, P.REP_ERR_INVALID, 'malformed request');
    const nq = data.readUInt32BE(name.next);
    const queries: string[] = [];
    let o = name.next + 4;
    for (let i = 0; i < nq; i++) {
      const q = NbdConnection.readString(data, o);
      if (!q) return this.optError(opt, P.REP_ERR_INVALID, 'malformed query');
      queries.push(q.value);
      o = q.next;
    }
    if (o !== data.length) return this.optError(opt, P.REP_ERR_INVALID, 'trailing bytes');
    if (!this.exports.get(name.value)) return this.optError(opt, P.REP_ERR_UNKNOWN, `unknown export '${name.value}'`);
    const matches = set
      ? queries.some((q) => q === P.META_BASE_ALLOCATION)
      : nq === 0 || queries.some((q) => q === P.META_BASE_ALLOCATION || q === 'base:');
    if (matches) {
      const ctx = Buffer.from(P.META_BASE_ALLOCATION);
      const b = Buffer.alloc(4 + ctx.length);
      b.writeUInt32BE(P.CONTEXT_ID_BASE_ALLOCATION, 0);
      ctx.copy(b, 4);
      this.optReply(opt, P.REP_META_CONTEXT, b);
    }
    if (set) {
      this.metaExport = name.value;
      this.metaAllocation = matches;
    }
    this.optReply(opt, P.REP_ACK);
  }

  private transmissionFlags(e: ExportEntry): number {
    const c = e.device.capabilities;
    let f = P.TF_HAS_FLAGS | P.TF_SEND_FLUSH;
    if (e.readOnly || !c.canWrite) f |= P.TF_READ_ONLY;
    else {
      if (c.canFua) f |= P.TF_SEND_FUA;
      if (c.canTrim) f |= P.TF_SEND_TRIM;
      f |= P.TF_SEND_WRITE_ZEROES;
    }
    if (this.structured) f |= P.TF_SEND_DF; // we never fragment reads, so DF is free
    if (c.canMultiConn) f |= P.TF_CAN_MULTI_CONN;
    return f;
  }

  private enterTransmission(e: ExportEntry): void {
    this.export = e;
    if (this.metaExport !== e.name) this.metaAllocation = false;
    this.state = { s: 'request' };
  }

  // ---- transmission ---------------------------------------------------------------------------------

  private dispatch(type: number, flags: number, handle: Buffer, offset: number, len: number, data: Buffer | null): void {
    if (type === P.Cmd.DISC) {
      this.disconnecting = true;
      if (this.inflight === 0) this.close();
      return;
    }
    this.inflight++;
    if (this.inflight >= MAX_INFLIGHT && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    let p: Promise<void> | undefined;
    try {
      p = this.execute(type, flags, handle, offset, len, data);
    } catch (err) {
      this.replyFailure(handle, err, type === P.Cmd.READ); // a device that throws instead of rejecting
    }
    if (p) p.then(this.doneCb, this.doneCb);
    else this.done();
  }

  private readonly doneCb = (): void => this.done();

  private done(): void {
    this.inflight--;
    if (this.state.s === 'closed') return;
    if (this.disconnecting && this.inflight === 0) return this.close();
    if (this.paused && this.inflight < MAX_INFLIGHT / 2) {
      this.paused = false;
      this.socket.resume();
      this.pump();
    }
  }

  /**
   * Runs one request and sends its reply. READ and WRITE without QoS take a short path: one device
   * call and one `.then` (the local store settles small I/O synchronously, so the reply goes out in
   * the same microtask drain, batched with its neighbours by `send`). Returns undefined when the
   * request was answered synchronously.
   */
  private execute(type: number, flags: number, handle: Buffer, offset: number, len: number, data: Buffer | null): Promise<void> | undefined {
    const e = this.export!;
    const dev = e.device;
    if (!e.qos && offset + len <= dev.size) {
      if (type === P.Cmd.READ && len <= P.MAX_PAYLOAD) {
        return dev.read(offset, len).then(
          (buf) => this.replyRead(handle, offset, buf),
          (err: unknown) => this.replyFailure(handle, err, true),
        );
      }
      if (type === P.Cmd.WRITE && !e.readOnly && dev.capabilities.canWrite) {
        return dev.write(offset, data!, (flags & P.CMD_FLAG_FUA) !== 0 ? FUA : NO_FUA).then(
          () => this.replyOk(handle),
          (err: unknown) => this.replyFailure(handle, err, false),
        );
      }
    }
    return this.executeSlow(type, flags, handle, offset, len, data);
  }

  private replyFailure(handle: Buffer, err: unknown, isRead: boolean): void {
    this.replyError(handle, errnoOf(err), isRead, (err as Error).message ?? 'I/O error');
  }

  private async executeSlow(type: number, flags: number, handle: Buffer, offset: number, len: number, data: Buffer | null): Promise<void> {
    const e = this.export!;
    const dev = e.device;
    const isWriteCmd = type === P.Cmd.WRITE || type === P.Cmd.TRIM || type === P.Cmd.WRITE_ZEROES;
    const isRead = type === P.Cmd.READ;
    try {
      if (isWriteCmd && (e.readOnly || !dev.capabilities.canWrite)) {
        return this.replyError(handle, P.EPERM, isRead, 'export is read-only');
      }
      if (type !== P.Cmd.FLUSH && (offset + len > dev.size || offset > Number.MAX_SAFE_INTEGER)) {
        return this.replyError(handle, isWriteCmd ? P.ENOSPC : P.EINVAL, isRead, 'request beyond end of export');
      }
      if (e.qos && (isRead || isWriteCmd)) {
        const wait = e.qos.admit(isRead ? 'read' : 'write', type === P.Cmd.WRITE || isRead ? len : 0);
        if (wait) await wait;
      }
      const fua = (flags & P.CMD_FLAG_FUA) !== 0;
      switch (type) {
        case P.Cmd.READ: {
          if (len > P.MAX_PAYLOAD) return this.replyError(handle, P.EINVAL, true, 'read too large');
          const buf = await dev.read(offset, len);
          return this.replyRead(handle, offset, buf);
        }
        case P.Cmd.WRITE:
          await dev.write(offset, data!, { fua });
          return this.replyOk(handle);
        case P.Cmd.FLUSH:
          await dev.flush();
          return this.replyOk(handle);
        case P.Cmd.TRIM:
          await dev.trim(offset, len, { fua });
          return this.replyOk(handle);
        case P.Cmd.WRITE_ZEROES:
          await dev.writeZeroes(offset, len, { fua, noHole: (flags & P.CMD_FLAG_NO_HOLE) !== 0 });
          return this.replyOk(handle);
        case P.Cmd.CACHE:
          return this.replyOk(handle);
        case P.Cmd.BLOCK_STATUS:
          return await this.blockStatus(handle, flags, offset, len);
        default:
          return this.replyError(handle, P.EINVAL, false, `unknown command ${type}`);
      }
    } catch (err) {
      this.replyFailure(handle, err, isRead);
    }
  }

  private async blockStatus(handle: Buffer, flags: number, offset: number, len: number): Promise<void> {
    if (!this.structured || !this.metaAllocation) {
      return this.replyError(handle, P.EINVAL, false, 'no metadata context negotiated');
    }
    if (len === 0) return this.replyError(handle, P.EINVAL, false, 'zero length');
    let extents = await this.export!.device.blockStatus(offset, len);
    if (flags & P.CMD_FLAG_REQ_ONE) extents = extents.slice(0, 1);
    const b = Buffer.alloc(20 + 4 + extents.length * 8);
    this.chunkHeader(b, P.REPLY_FLAG_DONE, P.REPLY_TYPE_BLOCK_STATUS, handle, 4 + extents.length * 8);
    b.writeUInt32BE(P.CONTEXT_ID_BASE_ALLOCATION, 20);
    let o = 24;
    for (const x of extents) {
      b.writeUInt32BE(x.length, o);
      b.writeUInt32BE(x.state === 'hole' ? P.STATE_HOLE | P.STATE_ZERO : x.state === 'zero' ? P.STATE_ZERO : 0, o + 4);
      o += 8;
    }
    this.send(b);
  }

  // ---- replies --------------------------------------------------------------------------------------

  /**
   * Queues a reply. The socket is corked from the first reply of a tick until the next tick, so the
   * replies of every request that completed in between leave in one writev instead of one write
   * syscall each (32 small replies per wake-up at queue depth 32).
   */
  private send(b: Buffer, payload?: Uint8Array): void {
    const s = this.socket;
    if (this.state.s === 'closed' || !s.writable) return;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(this.uncork);
    }
    s.write(b);
    if (payload) s.write(payload);
  }

  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private chunkHeader(b: Buffer, flags: number, type: number, handle: Buffer, len: number): void {
    b.writeUInt32BE(P.STRUCTURED_REPLY_MAGIC, 0);
    b.writeUInt16BE(flags, 4);
    b.writeUInt16BE(type, 6);
    handle.copy(b, 8);
    b.writeUInt32BE(len, 16);
  }

  /** A simple reply without error: magic, errno 0, handle (allocUnsafe: every byte is written). */
  private simpleOk(handle: Buffer): Buffer {
    const b = Buffer.allocUnsafe(16);
    b.writeUInt32BE(P.SIMPLE_REPLY_MAGIC, 0);
    b.writeUInt32BE(0, 4);
    handle.copy(b, 8);
    return b;
  }

  private replyOk(handle: Buffer): void {
    this.send(this.simpleOk(handle));
  }

  private replyRead(handle: Buffer, offset: number, data: Uint8Array): void {
    if (!this.structured) return this.send(this.simpleOk(handle), data);
    const b = Buffer.alloc(28);
    this.chunkHeader(b, P.REPLY_FLAG_DONE, P.REPLY_TYPE_OFFSET_DATA, handle, 8 + data.length);
    b.writeBigUInt64BE(BigInt(offset), 20);
    this.send(b, data);
  }

  private replyError(handle: Buffer, errno: number, isRead: boolean, message: string): void {
    if (!this.structured) {
      const b = Buffer.alloc(16);
      b.writeUInt32BE(P.SIMPLE_REPLY_MAGIC, 0);
      b.writeUInt32BE(errno, 4);
      handle.copy(b, 8);
      return this.send(b);
    }
    void isRead;
    const msg = Buffer.from(message.slice(0, 200));
    const b = Buffer.alloc(20 + 6 + msg.length);
    this.chunkHeader(b, P.REPLY_FLAG_DONE, P.REPLY_TYPE_ERROR, handle, 6 + msg.length);
    b.writeUInt32BE(errno, 20);
    b.writeUInt16BE(msg.length, 24);
    msg.copy(b, 26);
    this.send(b);
  }
}

function errnoOf(err: unknown): number {
  switch ((err as { code?: string }).code) {
    case 'read_only':
      return P.EPERM;
    case 'out_of_range':
    case 'invalid':
      return P.EINVAL;
    case 'no_space':
    case 'ENOSPC':
      return P.ENOSPC;
    case 'closed':
      return P.ESHUTDOWN;
    default:
      return P.EIO;
  }
}
