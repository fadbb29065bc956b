/**
 * The fixed newstyle handshake's option phase: one function per option, each answering on the socket
 * and updating the negotiated session; GO and EXPORT_NAME end it. Layer: export/nbd; node:net types.
 *
 * Options: EXPORT_NAME, ABORT, LIST, INFO, GO, STRUCTURED_REPLY, LIST/SET_META_CONTEXT
 * (base:allocation); anything else ERR_UNSUP.
 */
import type { Socket } from 'node:net';
import type { ExportEntry, ExportLookup, Session } from './export-entry.js';
import * as P from './protocol.js';

/** What option handling needs of its connection. */
export interface Negotiation {
  readonly socket: Socket;
  readonly exports: ExportLookup;
  readonly session: Session;
  /** The option phase is over: serve `e`. */
  enterTransmission(e: ExportEntry): void;
  /** Hang up (no reply possible). */
  close(): void;
  /** The client sent ABORT and got its ACK: end the connection gracefully. */
  abort(): void;
}

/** The server's greeting: magic, IHAVEOPT, handshake flags. */
export function greeting(): Buffer {
  const hello = Buffer.alloc(18);
  hello.writeBigUInt64BE(P.NBDMAGIC, 0);
  hello.writeBigUInt64BE(P.IHAVEOPT, 8);
  hello.writeUInt16BE(P.FLAG_FIXED_NEWSTYLE | P.FLAG_NO_ZEROES, 16);
  return hello;
}

export function handleOption(n: Negotiation, opt: number, data: Buffer): void {
  switch (opt) {
    case P.Opt.EXPORT_NAME: {
      const e = n.exports.get(data.toString('utf8'));
      if (!e) return n.close(); // this option has no error reply: the spec says hang up
      const b = Buffer.alloc(n.session.noZeroes ? 10 : 134);
      b.writeBigUInt64BE(BigInt(e.device.size), 0);
      b.writeUInt16BE(transmissionFlags(e, n.session.structured), 8);
      n.socket.write(b);
      return n.enterTransmission(e);
    }
    case P.Opt.ABORT:
      optReply(n.socket, opt, P.REP_ACK);
      return n.abort();
    case P.Opt.LIST: {
      if (data.length !== 0) return optError(n.socket, opt, P.REP_ERR_INVALID, 'LIST takes no data');
      for (const name of n.exports.names()) {
        const nb = Buffer.from(name);
        const b = Buffer.alloc(4 + nb.length);
        b.writeUInt32BE(nb.length, 0);
        nb.copy(b, 4);
        optReply(n.socket, opt, P.REP_SERVER, b);
      }
      return optReply(n.socket, opt, P.REP_ACK);
    }
    case P.Opt.INFO:
    case P.Opt.GO:
      return handleInfoGo(n, opt, data);
    case P.Opt.STRUCTURED_REPLY:
      if (data.length !== 0) return optError(n.socket, opt, P.REP_ERR_INVALID, 'STRUCTURED_REPLY takes no data');
      n.session.structured = true;
      return optReply(n.socket, opt, P.REP_ACK);
    case P.Opt.LIST_META_CONTEXT:
    case P.Opt.SET_META_CONTEXT:
      return handleMetaContext(n, opt, data);
    default:
      return optError(n.socket, opt, P.REP_ERR_UNSUP, `option ${opt} not supported`);
  }
}

/** The transmission flags advertised for `e`. */
export function transmissionFlags(e: ExportEntry, structured: boolean): number {
  const c = e.device.capabilities;
  let f = P.TF_HAS_FLAGS | P.TF_SEND_FLUSH;
  if (e.readOnly || !c.canWrite) f |= P.TF_READ_ONLY;
  else {
    if (c.canFua) f |= P.TF_SEND_FUA;
    if (c.canTrim) f |= P.TF_SEND_TRIM;
    f |= P.TF_SEND_WRITE_ZEROES;
  }
  if (structured) f |= P.TF_SEND_DF; // we never fragment reads, so DF is free
  if (c.canMultiConn) f |= P.TF_CAN_MULTI_CONN;
  return f;
}

function optReply(socket: Socket, opt: number, type: number, data?: Buffer): void {
  const h = Buffer.alloc(20);
  h.writeBigUInt64BE(P.OPT_REPLY_MAGIC, 0);
  h.writeUInt32BE(opt, 8);
  h.writeUInt32BE(type, 12);
  h.writeUInt32BE(data?.length ?? 0, 16);
  socket.write(data ? Buffer.concat([h, data]) : h);
}

function optError(socket: Socket, opt: number, type: number, message: string): void {
  optReply(socket, opt, type, Buffer.from(message));
}

/** Parses `u32 len, name` at `o`; null when it does not fit. */
function readString(data: Buffer, o: number): { value: string; next: number } | null {
  if (o + 4 > data.length) return null;
  const len = data.readUInt32BE(o);
  if (o + 4 + len > data.length) return null;
  return { value: data.toString('utf8', o + 4, o + 4 + len), next: o + 4 + len };
}

function handleInfoGo(n: Negotiation, opt: number, data: Buffer): void {
  const s = n.socket;
  const name = readString(data, 0);
  if (!name || name.next + 2 > data.length) return optError(s, opt, P.REP_ERR_INVALID, 'malformed request');
  const count = data.readUInt16BE(name.next);
  if (name.next + 2 + count * 2 !== data.length) return optError(s, opt, P.REP_ERR_INVALID, 'malformed request');
  const wanted = new Set<number>();
  for (let i = 0; i < count; i++) wanted.add(data.readUInt16BE(name.next + 2 + i * 2));
  const e = n.exports.get(name.value);
  if (!e) return optError(s, opt, P.REP_ERR_UNKNOWN, `unknown export '${name.value}'`);
  const info = Buffer.alloc(12);
  info.writeUInt16BE(P.INFO_EXPORT, 0);
  info.writeBigUInt64BE(BigInt(e.device.size), 2);
  info.writeUInt16BE(transmissionFlags(e, n.session.structured), 10);
  optReply(s, opt, P.REP_INFO, info);
  if (wanted.has(P.INFO_NAME)) {
    const nb = Buffer.from(e.name);
    const b = Buffer.alloc(2 + nb.length);
    b.writeUInt16BE(P.INFO_NAME, 0);
    nb.copy(b, 2);
    optReply(s, opt, P.REP_INFO, b);
  }
  if (wanted.has(P.INFO_BLOCK_SIZE)) {
    const b = Buffer.alloc(14);
    b.writeUInt16BE(P.INFO_BLOCK_SIZE, 0);
    b.writeUInt32BE(1, 2);
    b.writeUInt32BE(4096, 6);
    b.writeUInt32BE(P.MAX_PAYLOAD, 10);
    optReply(s, opt, P.REP_INFO, b);
  }
  optReply(s, opt, P.REP_ACK);
  if (opt === P.Opt.GO) n.enterTransmission(e);
}

function handleMetaContext(n: Negotiation, opt: number, data: Buffer): void {
  const s = n.socket;
  const set = opt === P.Opt.SET_META_CONTEXT;
  if (set && !n.session.structured) return optError(s, opt, P.REP_ERR_INVALID, 'structured replies not negotiated');
  const name = readString(data, 0);
  if (!name || name.next + 4 > data.length) return optError(s, opt, P.REP_ERR_INVALID, 'malformed request');
  const nq = data.readUInt32BE(name.next);
  const queries: string[] = [];
  let o = name.next + 4;
  for (let i = 0; i < nq; i++) {
    const q = readString(data, o);
    if (!q) return optError(s, opt, P.REP_ERR_INVALID, 'malformed query');
    queries.push(q.value);
    o = q.next;
  }
  if (o !== data.length) return optError(s, opt, P.REP_ERR_INVALID, 'trailing bytes');
  if (!n.exports.get(name.value)) return optError(s, opt, P.REP_ERR_UNKNOWN, `unknown export '${name.value}'`);
  const matches = set
    ? queries.some((q) => q === P.META_BASE_ALLOCATION)
    : nq === 0 || queries.some((q) => q === P.META_BASE_ALLOCATION || q === 'base:');
  if (matches) {
    const ctx = Buffer.from(P.META_BASE_ALLOCATION);
    const b = Buffer.alloc(4 + ctx.length);
    b.writeUInt32BE(P.CONTEXT_ID_BASE_ALLOCATION, 0);
    ctx.copy(b, 4);
    optReply(s, opt, P.REP_META_CONTEXT, b);
  }
  if (set) {
    n.session.metaExport = name.value;
    n.session.metaAllocation = matches;
  }
  optReply(s, opt, P.REP_ACK);
}
