/**
 * The VolumeExporter port over a VolumeDriver and an NBD export server: publishing opens a block
 * device on the volume (read-only for ro attachments) and adds it under the attachment's export
 * name with the type's QoS; unpublishing removes the export and closes the device. Exports live in
 * memory; the worker re-publishes them after a restart. Layer: agent; imports core/ports only.
 */
import type { BlockDevice } from '../core/ports/block-device.js';
import type { VolumeDriver } from '../core/ports/volume-driver.js';
import type { BlockExportServer, ExportLocation, PublishOptions, VolumeExporter } from '../core/ports/volume-export.js';

export interface ExportAddresses {
  socket: string;
  tcp?: { host: string; port: number };
}

interface Published {
  volumeId: string;
  device: BlockDevice;
  options: PublishOptions;
}

export class NbdVolumeExporter<Q = unknown> implements VolumeExporter {
  private readonly published = new Map<string, Published>();
  /** Publishing and unpublishing one name never interleave (a device must not leak). */
  private chain: Promise<unknown> = Promise.resolve();
  private runtime: { driver: VolumeDriver; server: BlockExportServer<Q>; addresses: ExportAddresses } | null = null;

  constructor(
    /** Turns Cinder QoS keys into what the server's addExport takes. */
    private readonly toQos: (specs: Record<string, string>) => Q,
  ) {}

  /** Called once the driver is open and the server listens. */
  attach(driver: VolumeDriver, server: BlockExportServer<Q>, addresses: ExportAddresses): void {
    this.runtime = { driver, server, addresses };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  publish(exportName: string, volumeId: string, options: PublishOptions): Promise<ExportLocation> {
    return this.serial(async () => {
      const rt = this.runtime;
      if (!rt) throw new Error('the block storage service is not started yet');
      await this.drop(exportName);
      const device = await rt.driver.open(volumeId, options.readOnly ? 'ro' : 'rw');
      rt.server.addExport(exportName, device, { readOnly: options.readOnly, qos: this.toQos(options.qos) });
      this.published.set(exportName, { volumeId, device, options });
      return this.locate(exportName, options.transport);
    });
  }

  unpublish(exportName: string): Promise<void> {
    return this.serial(() => this.drop(exportName));
  }

  unpublishVolume(volumeId: string): Promise<void> {
    return this.serial(async () => {
      for (const [name, p] of [...this.published]) if (p.volumeId === volumeId) await this.drop(name);
    });
  }

  /** Re-opens every export of a volume (an extend takes effect on the next open). */
  async refresh(volumeId: string): Promise<void> {
    for (const [name, p] of [...this.published]) {
      if (p.volumeId === volumeId) await this.publish(name, volumeId, p.options);
    }
  }

  exportedSize(exportName: string): number | null {
    return this.published.get(exportName)?.device.size ?? null;
  }

  isExported(volumeId: string): boolean {
    for (const p of this.published.values()) if (p.volumeId === volumeId) return true;
    return false;
  }

  locate(exportName: string, transport: 'unix' | 'tcp'): ExportLocation {
    const addresses = this.runtime?.addresses;
    const name = encodeURIComponent(exportName);
    if (transport === 'tcp' && addresses?.tcp) {
      const { host, port } = addresses.tcp;
      return { uri: `nbd://${host}:${port}/${name}`, host, port };
    }
    const socket = addresses?.socket ?? '';
    return { uri: `nbd+unix:///${name}?socket=${socket}`, socket };
  }

  /** Removes every export and closes the devices (shutdown). */
  closeAll(): Promise<void> {
    return this.serial(async () => {
      for (const name of [...this.published.keys()]) await this.drop(name);
    });
  }

  private async drop(exportName: string): Promise<void> {
    const p = this.published.get(exportName);
    this.runtime?.server.removeExport(exportName);
    if (!p) return;
    this.published.delete(exportName);
    await p.device.close();
  }
}
