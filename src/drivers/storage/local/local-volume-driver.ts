/**
 * `local` VolumeDriver: thin-provisioned copy-on-write volumes in one directory (HOME/volumes).
 * Layer: drivers/storage/local; imports core/ports, node:fs.
 *
 * Construct with `await LocalVolumeDriver.open(root)`. One process per directory (pid lock).
 * The engine is LocalStore; this class validates arguments, keeps the Cinder-facing idempotency rules,
 * and turns each operation into one journal record applied under the store's exclusive gate.
 */
import fs from 'node:fs';
import type { BlockDevice, Extent } from '../../../core/ports/block-device.js';
import type {
  OpenMode,
  StoreCheckReport,
  StoreChecker,
  VolumeDriver,
  VolumeDriverCapabilities,
  VolumeDriverStats,
} from '../../../core/ports/volume-driver.js';
import { StorageError } from '../storage-error.js';
import { checkTree } from './check-store.js';
import { EXTENT_SIZE, LEAF_ENTRIES, LEAF_SHIFT, MAX_VOLUME_SIZE, type TreeNode } from './extent-tree.js';
import { LocalBlockDevice } from './local-block-device.js';
import { LocalStore, type LocalStoreOptions } from './local-store.js';

export type LocalVolumeDriverOptions = LocalStoreOptions;

export class LocalVolumeDriver implements VolumeDriver, StoreChecker {
  readonly capabilities: VolumeDriverCapabilities = {
    driver: 'local',
    thinProvisioning: true,
    constantTimeSnapshots: true,
    canRevert: true,
    canChangedBlocks: true,
    extentSize: EXTENT_SIZE,
    maxVolumeSize: MAX_VOLUME_SIZE,
  };
  private readonly devices = new Set<LocalBlockDevice>();
  private closed = false;

  private constructor(private readonly store: LocalStore) {}

  /** Opens or creates the store in `root` (replaying its journal after a crash). */
  static async open(root: string, options: LocalVolumeDriverOptions = {}): Promise<LocalVolumeDriver> {
    return new LocalVolumeDriver(await LocalStore.open(root, options));
  }

  get root(): string {
    return this.store.root;
  }

  async stats(): Promise<VolumeDriverStats> {
    const tree = this.store.tree;
    let volumes = 0;
    let snapshots = 0;
    let provisioned = 0;
    for (const n of tree.nodes.values()) {
      if (n.kind === 'volume') {
        volumes++;
        provisioned += n.size;
      } else snapshots++;
    }
    const fsStats = fs.statfsSync(this.store.root);
    return {
      freeBytes: fsStats.bavail * fsStats.bsize,
      allocatedBytes: (tree.hwm - 1 - this.store.freeSlotCount()) * EXTENT_SIZE,
      provisionedBytes: provisioned,
      volumes,
      snapshots,
    };
  }

  async create(id: string, sizeBytes: number): Promise<void> {
    this.live();
    checkId(id);
    checkSize(sizeBytes);
    await this.store.exclusive(() => {
      const existing = this.store.tree.get(id);
      if (existing) {
        if (existing.kind === 'volume' && existing.size === sizeBytes) return;
        throw new StorageError('already_exists', `${id} already exists`);
      }
      this.store.tree.create(id, 'volume', sizeBytes, null);
      this.store.recordMeta({ op: 'create', id, size: sizeBytes });
    });
  }

  async delete(id: string): Promise<void> {
    this.live();
    await this.store.exclusive(() => this.remove(id, null));
  }

  async deleteSnapshot(snapId: string): Promise<void> {
    this.live();
    await this.store.exclusive(() => this.remove(snapId, 'snapshot'));
  }

  private remove(id: string, kind: 'snapshot' | null): void {
    const node = this.store.tree.get(id);
    if (!node) return;
    if (kind && node.kind !== kind) throw new StorageError('invalid', `${id} is a ${node.kind}, not a ${kind}`);
    this.notOpen(id);
    this.store.tree.remove(id);
    this.store.locks.delete(id);
    this.store.recordMeta({ op: 'delete', id });
  }

  async extend(id: string, newSizeBytes: number): Promise<void> {
    this.live();
    checkSize(newSizeBytes);
    await this.store.exclusive(() => {
      const node = this.need(id, 'volume');
      if (newSizeBytes === node.size) return;
      if (newSizeBytes < node.size) throw new StorageError('invalid', `cannot shrink ${id} from ${node.size} to ${newSizeBytes}`);
      this.store.tree.extend(node, newSizeBytes);
      this.store.recordMeta({ op: 'extend', id, size: newSizeBytes });
    });
  }

  async snapshot(volId: string, snapId: string): Promise<void> {
    this.live();
    checkId(snapId);
    await this.store.exclusive(() => {
      const existing = this.store.tree.get(snapId);
      if (existing) {
        if (existing.kind === 'snapshot' && existing.origin === volId) return;
        throw new StorageError('already_exists', `${snapId} already exists`);
      }
      const vol = this.need(volId, 'volume');
      this.store.tree.create(snapId, 'snapshot', vol.size, vol.id, vol.leaves);
      this.store.recordMeta({ op: 'snapshot', vol: volId, snap: snapId });
    });
  }

  async revert(volId: string, snapId: string): Promise<void> {
    this.live();
    await this.store.exclusive(() => {
      const vol = this.need(volId, 'volume');
      const snap = this.need(snapId, 'snapshot');
      if (snap.origin !== volId) throw new StorageError('invalid', `${snapId} is not a snapshot of ${volId}`);
      this.notOpen(volId);
      this.store.tree.replaceLeaves(vol, snap);
      this.store.zeroes.delete(vol);
      this.store.defrag.scanAll(volId); // it now has the snapshot's layout
      this.store.recordMeta({ op: 'revert', vol: volId, snap: snapId });
    });
  }

  async clone(sourceId: string, newId: string, newSizeBytes?: number): Promise<void> {
    this.live();
    checkId(newId);
    if (newSizeBytes !== undefined) checkSize(newSizeBytes);
    await this.store.exclusive(() => {
      const src = this.need(sourceId, null);
      const size = newSizeBytes ?? src.size;
      if (size < src.size) throw new StorageError('invalid', `clone of ${sourceId} cannot be smaller than ${src.size}`);
      const existing = this.store.tree.get(newId);
      if (existing) {
        if (existing.kind === 'volume' && existing.size === size) return;
        throw new StorageError('already_exists', `${newId} already exists`);
      }
      this.store.tree.create(newId, 'volume', size, null, src.leaves);
      this.store.defrag.scanAll(newId);
      this.store.recordMeta({ op: 'clone', src: sourceId, id: newId, size });
    });
  }

  async changedBlocks(fromSnapId: string | null, toId: string): Promise<Extent[]> {
    this.live();
    const to = this.need(toId, null);
    if (fromSnapId === null) return (await this.allocationMap(toId)).filter((e) => e.state === 'allocated');
    const from = this.need(fromSnapId, null);
    const out: Extent[] = [];
    const push = (idx: number): void => {
      const offset = idx * EXTENT_SIZE;
      if (offset >= to.size) return;
      const length = Math.min(EXTENT_SIZE, to.size - offset);
      const last = out[out.length - 1];
      if (last && last.offset + last.length === offset) last.length += length;
      else out.push({ offset, length, state: 'allocated' });
    };
    const nLeaves = Math.max(to.leaves.length, from.leaves.length);
    for (let li = 0; li < nLeaves; li++) {
      const a = from.leaves[li] ?? null;
      const b = to.leaves[li] ?? null;
      if (a === b) continue; // shared leaf (or both holes): nothing changed in these 256 MiB
      for (let i = 0; i < LEAF_ENTRIES; i++) {
        const sa = a ? a.entries[i]! : 0;
        const sb = b ? b.entries[i]! : 0;
        if (sa !== sb) push((li << LEAF_SHIFT) + i);
      }
    }
    return out;
  }

  async allocationMap(id: string): Promise<Extent[]> {
    this.live();
    const node = this.need(id, null);
    const dev = new LocalBlockDevice(this.store, node, false, () => undefined);
    return dev.extentMap(0, node.size, false);
  }

  async open(id: string, mode: OpenMode): Promise<BlockDevice> {
    this.live();
    const node = this.need(id, null);
    if (mode === 'rw' && node.kind === 'snapshot') throw new StorageError('read_only', `${id} is a snapshot`);
    const counts = this.store.openCount;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    const dev: LocalBlockDevice = new LocalBlockDevice(this.store, node, mode === 'rw', () => {
      this.devices.delete(dev);
      const n = (counts.get(id) ?? 1) - 1;
      if (n === 0) counts.delete(id);
      else counts.set(id, n);
    });
    this.devices.add(dev);
    return dev;
  }

  async check(): Promise<StoreCheckReport> {
    this.live();
    return this.store.exclusive(() => checkTree(this.store.tree, fs.fstatSync(this.store.poolFd).size, []));
  }

  /**
   * Defragments every volume now, pausing I/O while it runs (the background defragmenter does the
   * same work only when the store is idle); returns the extents it moved. For tests and benchmarks.
   */
  async defragment(): Promise<number> {
    this.live();
    return this.store.exclusive(async () => {
      let moved = 0;
      for (;;) {
        const r = this.store.defrag.step(Infinity);
        moved += r.moved;
        if (r.done) return moved;
        await this.store.commit(); // evictions first become durable; their slots are then reusable
      }
    });
  }

  /** Extents the defragmenter moved since the store opened; settled once its background work is done. */
  defragStatus(): { moved: number; settled: boolean } {
    return this.store.defrag.status();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.devices].map((d) => d.close()));
    await this.store.close();
  }

  /** Test hook: drop everything like a crash would, without flushing. */
  abandon(): void {
    this.closed = true;
    this.store.abandon();
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private live(): void {
    if (this.closed) throw new StorageError('closed', 'driver is closed');
  }

  private need(id: string, kind: TreeNode['kind'] | null): TreeNode {
    const node = this.store.tree.get(id);
    if (!node) throw new StorageError('not_found', `${id} not found`);
    if (kind && node.kind !== kind) throw new StorageError('invalid', `${id} is a ${node.kind}, not a ${kind}`);
    return node;
  }

  private notOpen(id: string): void {
    if (this.store.openCount.get(id)) throw new StorageError('in_use', `${id} has open devices`);
  }
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > 255) {
    throw new StorageError('invalid', 'id must be 1..255 bytes');
  }
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size <= 0 || size % 512 !== 0 || size > MAX_VOLUME_SIZE) {
    throw new StorageError('invalid', `size ${size} must be a positive multiple of 512 up to ${MAX_VOLUME_SIZE}`);
  }
}
