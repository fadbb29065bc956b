/**
 * Transmission-phase commands of one connection on its export: checks, QoS, the device call and the
 * reply. Layer: export/nbd; imports core/ports (BlockDevice) through the export entry.
 *
 * A command's failure becomes an error reply; it never throws into the connection.
 */
import type { ExportEntry } from './export-entry.js';
import * as P from './protocol.js';
import type { ReplyWriter } from './reply-writer.js';

const FUA = { fua: true } as const;
const NO_FUA = { fua: false } as const;

export class CommandRunner {
  constructor(
    private readonly entry: ExportEntry,
    private readonly replies: ReplyWriter,
    /** Structured replies and base:allocation were negotiated for this export (BLOCK_STATUS allowed). */
    private readonly canBlockStatus: boolean,
  ) {}

  /**
   * Runs one request and sends its reply. READ and WRITE without QoS take a short path: one device
   * call and one `.then` (the local store settles small I/O synchronously, so the reply goes out in
   * the same microtask drain, batched with its neighbours by the reply writer). Returns undefined
   * when the request was answered synchronously.
   */
  execute(type: number, flags: number, handle: Buffer, offset: number, len: number, data: Buffer | null): Promise<void> | undefined {
    const e = this.entry;
    const dev = e.device;
    if (!e.qos && offset + len <= dev.size) {
      if (type === P.Cmd.READ && len <= P.MAX_PAYLOAD) {
        return this.readAndReply(handle, offset, len).catch((err: unknown) => this.fail(handle, err));
      }
      if (type === P.Cmd.WRITE && !e.readOnly && dev.capabilities.canWrite) {
        return dev.write(offset, data!, (flags & P.CMD_FLAG_FUA) !== 0 ? FUA : NO_FUA).then(
          () => this.replies.ok(handle),
          (err: unknown) => this.fail(handle, err),
        );
      }
    }
    return this.executeSlow(type, flags, handle, offset, len, data);
  }

  /**
   * Reads for a READ and queues the data reply. Through readLent when the device lends: its bytes go
   * back to the device once the socket no longer needs them.
   */
  private readAndReply(handle: Buffer, offset: number, len: number): Promise<void> {
    const dev = this.entry.device;
    if (dev.readLent) return dev.readLent(offset, len).then((l) => this.replies.read(handle, offset, l.data, l.release));
    return dev.read(offset, len).then((buf) => this.replies.read(handle, offset, buf));
  }

  /** The error reply for a device failure (or a device that throws instead of rejecting). */
  fail(handle: Buffer, err: unknown): void {
    this.replies.error(handle, errnoOf(err), (err as Error).message ?? 'I/O error');
  }

  private async executeSlow(type: number, flags: number, handle: Buffer, offset: number, len: number, data: Buffer | null): Promise<void> {
    const e = this.entry;
    const dev = e.device;
    const isWriteCmd = type === P.Cmd.WRITE || type === P.Cmd.TRIM || type === P.Cmd.WRITE_ZEROES;
    const isRead = type === P.Cmd.READ;
    const r = this.replies;
    try {
      if (isWriteCmd && (e.readOnly || !dev.capabilities.canWrite)) return r.error(handle, P.EPERM, 'export is read-only');
      if (type !== P.Cmd.FLUSH && (offset + len > dev.size || offset > Number.MAX_SAFE_INTEGER)) {
        return r.error(handle, isWriteCmd ? P.ENOSPC : P.EINVAL, 'request beyond end of export');
      }
      if (e.qos && (isRead || isWriteCmd)) {
        const wait = e.qos.admit(isRead ? 'read' : 'write', type === P.Cmd.WRITE || isRead ? len : 0);
        if (wait) await wait;
      }
      const fua = (flags & P.CMD_FLAG_FUA) !== 0;
      switch (type) {
        case P.Cmd.READ: {
          if (len > P.MAX_PAYLOAD) return r.error(handle, P.EINVAL, 'read too large');
          return await this.readAndReply(handle, offset, len);
        }
        case P.Cmd.WRITE:
          await dev.write(offset, data!, { fua });
          return r.ok(handle);
        case P.Cmd.FLUSH:
          await dev.flush();
          return r.ok(handle);
        case P.Cmd.TRIM:
          await dev.trim(offset, len, { fua });
          return r.ok(handle);
        case P.Cmd.WRITE_ZEROES:
          await dev.writeZeroes(offset, len, { fua, noHole: (flags & P.CMD_FLAG_NO_HOLE) !== 0 });
          return r.ok(handle);
        case P.Cmd.CACHE:
          return r.ok(handle);
        case P.Cmd.BLOCK_STATUS:
          return await this.blockStatus(handle, flags, offset, len);
        default:
          return r.error(handle, P.EINVAL, `unknown command ${type}`);
      }
    } catch (err) {
      this.fail(handle, err);
    }
  }

  private async blockStatus(handle: Buffer, flags: number, offset: number, len: number): Promise<void> {
    if (!this.canBlockStatus) return this.replies.error(handle, P.EINVAL, 'no metadata context negotiated');
    if (len === 0) return this.replies.error(handle, P.EINVAL, 'zero length');
    let extents = await this.entry.device.blockStatus(offset, len);
    if (flags & P.CMD_FLAG_REQ_ONE) extents = extents.slice(0, 1);
    this.replies.blockStatus(handle, extents);
  }
}

/** The NBD errno for a device error (StorageError codes, or a raw node errno). */
export function errnoOf(err: unknown): number {
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
