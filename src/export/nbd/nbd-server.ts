/**
 * NBD export server: serves BlockDevices by name over a unix socket and/or loopback TCP. It knows
 * nothing of volumes; the caller (the attachment flow) opens a device, picks an unguessable export
 * name and puts the URI in the attachment's connection_info.
 * Layer: export/nbd; imports core/ports, node:net, node:fs.
 *
 *   const server = new NbdServer();
 *   server.addExport('vol-3f2a...', device, { readOnly: false, qos: { totalIopsSec: 500 } });
 *   await server.listen({ path: '/run/ps/nbd.sock' });   // or { host: '127.0.0.1', port: 0 }
 *   server.removeExport('vol-3f2a...');                  // closes its connections
 *   await server.close();
 */
import fs from 'node:fs';
import net from 'node:net';
import type { BlockDevice } from '../../core/ports/block-device.js';
import type { ExportEntry } from './export-entry.js';
import { NbdConnection } from './nbd-connection.js';
import { type QosLimits, QosLimiter } from './qos.js';

export interface ExportOptions {
  readOnly?: boolean;
  qos?: QosLimits;
}

export type ListenOptions = { path: string } | { host?: string; port: number };

export interface ListenAddress {
  path?: string;
  host?: string;
  port?: number;
}

export class NbdServer {
  private readonly exports = new Map<string, ExportEntry>();
  private readonly connections = new Set<NbdConnection>();
  private readonly servers: net.Server[] = [];
  private readonly socketPaths: string[] = [];

  /** Publishes `device` as `name`. Throws if the name is taken (names are unique per server). */
  addExport(name: string, device: BlockDevice, options: ExportOptions = {}): void {
    if (this.exports.has(name)) throw new Error(`export '${name}' exists`);
    if (Buffer.byteLength(name) > 4096) throw new Error('export name longer than 4096 bytes');
    const limiter = options.qos ? new QosLimiter(options.qos) : null;
    this.exports.set(name, {
      name,
      device,
      readOnly: options.readOnly ?? false,
      qos: limiter && !limiter.isUnlimited ? limiter : null,
    });
  }

  /** Unpublishes `name` and closes the connections using it. Does not close the device. Idempotent. */
  removeExport(name: string): void {
    if (!this.exports.delete(name)) return;
    for (const c of [...this.connections]) if (c.exportName === name) c.close();
  }

  hasExport(name: string): boolean {
    return this.exports.has(name);
  }

  /** Starts listening; may be called several times (a unix socket and a TCP port). TCP is loopback only. */
  async listen(options: ListenOptions): Promise<ListenAddress> {
    const server = net.createServer((socket) => this.accept(socket));
    server.on('error', () => undefined);
    if ('path' in options) {
      fs.rmSync(options.path, { force: true }); // a stale socket from a crashed run
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.path, () => resolve());
      });
      this.socketPaths.push(options.path);
      this.servers.push(server);
      return { path: options.path };
    }
    const host = options.host ?? '127.0.0.1';
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
      throw new Error(`NBD listens on loopback only, not ${host}`);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => resolve());
    });
    this.servers.push(server);
    const addr = server.address() as net.AddressInfo;
    return { host: addr.address, port: addr.port };
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening and closes every connection. Devices stay open (they are the caller's). */
  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
    for (const p of this.socketPaths) fs.rmSync(p, { force: true });
    this.socketPaths.length = 0;
  }

  private accept(socket: net.Socket): void {
    const conn = new NbdConnection(
      socket,
      { get: (n) => this.exports.get(n), names: () => [...this.exports.keys()] },
      (c) => this.connections.delete(c),
    );
    this.connections.add(conn);
  }
}
