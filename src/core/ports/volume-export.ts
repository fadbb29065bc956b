/**
 * Port: publishing a volume to a consumer (a VM, qemu-io, nbdcopy) — the NBD export for now.
 * Implemented by the agent over a VolumeDriver and an export server; the attachment use cases call it
 * after their transaction commits, never inside it. Pure types; imports nothing.
 *
 * Contract: `publish` is idempotent for a name (publishing again replaces the export, e.g. after
 * an extend so the consumer sees the new size); `unpublish` of an unknown name succeeds. Exports live
 * in memory: after a restart the worker publishes again every attachment that had one.
 */

export interface ExportLocation {
  /** `nbd+unix:///NAME?socket=PATH` or `nbd://HOST:PORT/NAME`. */
  uri: string;
  socket?: string;
  host?: string;
  port?: number;
}

export interface PublishOptions {
  readOnly: boolean;
  /** Front-end QoS keys of the volume type (total_iops_sec, read_bytes_sec, ...). */
  qos: Record<string, string>;
  /** 'tcp' when the consumer asked for a network address, else the unix socket. */
  transport: 'unix' | 'tcp';
}

export interface VolumeExporter {
  publish(exportName: string, volumeId: string, options: PublishOptions): Promise<ExportLocation>;
  unpublish(exportName: string): Promise<void>;
  /** Unpublishes every export of a volume (before a forced delete). */
  unpublishVolume(volumeId: string): Promise<void>;
  /** Where an export is (or will be) reachable now; the TCP port may change between starts. */
  locate(exportName: string, transport: 'unix' | 'tcp'): ExportLocation;
  /** Whether a device is open on the volume through an export (blocks revert/delete). */
  isExported(volumeId: string): boolean;
  /** The size in bytes a new connection to the export sees; null when nothing is published under the name. */
  exportedSize(exportName: string): number | null;
}

/** The slice of an NBD server the exporter needs (the export/nbd NbdServer has it). */
export interface BlockExportServer<Q> {
  addExport(name: string, device: import('./block-device.js').BlockDevice, options: { readOnly?: boolean; qos?: Q }): void;
  removeExport(name: string): void;
  hasExport(name: string): boolean;
}
