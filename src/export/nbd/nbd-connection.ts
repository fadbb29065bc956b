/**
 * One NBD client connection: the byte parser (handshake, then requests), the connection's lifecycle,
 * and pipelining: each request runs as soon as it is parsed, replies go out in completion order, and
 * the socket is paused while too many are in flight. What each part of the conversation means lives
 * beside it: option-negotiation.ts (the handshake's options), command-runner.ts (one request on the
 * export), reply-writer.ts (reply encoding and batching).
 * Layer: export/nbd; imports core/ports (BlockDevice) and node:net types only.
 *
 * Anything the protocol cannot recover from (bad magic, an option or payload too big to skip safely,
 * unknown client flags) closes the connection; anything else gets an error reply and the connection
 * goes on. A failure of one connection never reaches the server or other connections.
 */
import type { Socket } from 'node:net';
import { ByteQueue } from './byte-queue.js';
import { CommandRunner } from './command-runner.js';
import type { ExportEntry, ExportLookup, Session } from './export-entry.js';
import { type Negotiation, greeting, handleOption } from './option-negotiation.js';
import * as P from './protocol.js';
import { ReplyWriter } from './reply-writer.js';

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

/** The transmission phase's parts, created when the handshake picks an export. */
interface Transmission {
  entry: ExportEntry;
  replies: ReplyWriter;
  commands: CommandRunner;
}

export class NbdConnection implements Negotiation {
  private readonly q = new ByteQueue();
  private state: State = { s: 'clientFlags' };
  readonly session: Session = { noZeroes: false, structured: false, metaExport: null, metaAllocation: false };
  private tx: Transmission | null = null;
  private inflight = 0;
  private paused = false;
  private disconnecting = false;

  constructor(
    readonly socket: Socket,
    readonly exports: ExportLookup,
    private readonly onClose: (c: NbdConnection) => void,
  ) {
    socket.setNoDelay?.(true);
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    socket.write(greeting());
  }

  get exportName(): string | null {
    return this.tx?.entry.name ?? null;
  }

  close(): void {
    if (this.state.s === 'closed') return;
    this.state = { s: 'closed' };
    this.socket.destroy();
    this.onClose(this);
  }

  /** ABORT was acknowledged: end the socket (flushing the ACK) rather than destroy it. */
  abort(): void {
    this.socket.end();
    this.state = { s: 'closed' };
    this.onClose(this);
  }

  enterTransmission(e: ExportEntry): void {
    const s = this.session;
    if (s.metaExport !== e.name) s.metaAllocation = false;
    const replies = new ReplyWriter(this.socket, s.structured, this.isOpen);
    this.tx = { entry: e, replies, commands: new CommandRunner(e, replies, s.structured && s.metaAllocation) };
    this.state = { s: 'request' };
  }

  private readonly isOpen = (): boolean => this.state.s !== 'closed';

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
          this.session.noZeroes = (flags & P.FLAG_NO_ZEROES) !== 0;
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
          handleOption(this, st.opt, data);
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
          this.tx!.replies.error(st.handle, st.error, 'payload too large');
          break;
        }
      }
    }
  }

  // ---- pipelining -----------------------------------------------------------------------------------

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
    const commands = this.tx!.commands;
    let p: Promise<void> | undefined;
    try {
      p = commands.execute(type, flags, handle, offset, len, data);
    } catch (err) {
      commands.fail(handle, err); // a device that throws instead of rejecting
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
}
