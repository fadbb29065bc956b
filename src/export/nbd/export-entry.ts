/**
 * What a connection sees of the server: the published exports and the state negotiated so far.
 * Layer: export/nbd; imports core/ports and the QoS limiter's type.
 */
import type { BlockDevice } from '../../core/ports/block-device.js';
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

/** Options the client negotiated during the handshake. */
export interface Session {
  /** NO_ZEROES: the EXPORT_NAME reply omits its 124 zero bytes. */
  noZeroes: boolean;
  /** STRUCTURED_REPLY: reads answer with chunks, errors carry a message. */
  structured: boolean;
  /** The export SET_META_CONTEXT was about, and whether it selected base:allocation. */
  metaExport: string | null;
  metaAllocation: boolean;
}
