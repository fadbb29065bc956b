/**
 * Transmission-phase replies of one connection: simple or structured (chosen at negotiation), encoded
 * and queued on the socket, batched per tick. Layer: export/nbd; node:net types only.
 */
import type { Socket } from 'node:net';
import type { Extent } from '../../core/ports/block-device.js';
import * as P from './protocol.js';

export class ReplyWriter {
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly structured: boolean,
    private readonly isOpen: () => boolean,
  ) {}

  ok(handle: Buffer): void {
    this.send(simpleOk(handle));
  }

  /** `done`, if given, runs once the socket no longer needs `data` (written, or never to be). */
  read(handle: Buffer, offset: number, data: Uint8Array, done?: () => void): void {
    if (!this.structured) return this.send(simpleOk(handle), data, done);
    const b = Buffer.alloc(28);
    chunkHeader(b, P.REPLY_FLAG_DONE, P.REPLY_TYPE_OFFSET_DATA, handle, 8 + data.length);
    b.writeBigUInt64BE(BigInt(offset), 20);
    this.send(b, data, done);
  }

  error(handle: Buffer, errno: number, message: string): void {
    if (!this.structured) {
      const b = Buffer.alloc(16);
      b.writeUInt32BE(P.SIMPLE_REPLY_MAGIC, 0);
      b.writeUInt32BE(errno, 4);
      handle.copy(b, 8);
      return this.send(b);
    }
    const msg = Buffer.from(message.slice(0, 200));
    const b = Buffer.alloc(20 + 6 + msg.length);
    chunkHeader(b, P.REPLY_FLAG_DONE, P.REPLY_TYPE_ERROR, handle, 6 + msg.length);
    b.writeUInt32BE(errno, 20);
    b.writeUInt16BE(msg.length, 24);
    msg.copy(b, 26);
    this.send(b);
  }

  /** One BLOCK_STATUS chunk for the base:allocation context (structured replies only). */
  blockStatus(handle: Buffer, extents: Extent[]): void {
    const b = Buffer.alloc(20 + 4 + extents.length * 8);
    chunkHeader(b, P.REPLY_FLAG_DONE, P.REPLY_TYPE_BLOCK_STATUS, handle, 4 + extents.length * 8);
    b.writeUInt32BE(P.CONTEXT_ID_BASE_ALLOCATION, 20);
    let o = 24;
    for (const x of extents) {
      b.writeUInt32BE(x.length, o);
      b.writeUInt32BE(x.state === 'hole' ? P.STATE_HOLE | P.STATE_ZERO : x.state === 'zero' ? P.STATE_ZERO : 0, o + 4);
      o += 8;
    }
    this.send(b);
  }

  /**
   * Queues a reply. The socket is corked from the first reply of a tick until the next tick, so the
   * replies of every request that completed in between leave in one writev instead of one write
   * syscall each (32 small replies per wake-up at queue depth 32).
   */
  private send(b: Buffer, payload?: Uint8Array, done?: () => void): void {
    const s = this.socket;
    if (!this.isOpen() || !s.writable) return done?.();
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(this.uncork);
    }
    s.write(b);
    if (payload) s.write(payload, done);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };
}

function chunkHeader(b: Buffer, flags: number, type: number, handle: Buffer, len: number): void {
  b.writeUInt32BE(P.STRUCTURED_REPLY_MAGIC, 0);
  b.writeUInt16BE(flags, 4);
  b.writeUInt16BE(type, 6);
  handle.copy(b, 8);
  b.writeUInt32BE(len, 16);
}

/** A simple reply without error: magic, errno 0, handle (allocUnsafe: every byte is written). */
function simpleOk(handle: Buffer): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(P.SIMPLE_REPLY_MAGIC, 0);
  b.writeUInt32BE(0, 4);
  handle.copy(b, 8);
  return b;
}
