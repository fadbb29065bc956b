/**
 * Fault injection as a wrapper with the same interface: `withFaults(driver, plan)` returns a
 * VolumeDriver whose operations and devices fail when the plan says so, so the layers above (agent,
 * export) can be tested against a storage engine that fails mid-way. Layer: drivers/storage/contract.
 */
import type { BlockDevice, Extent, WriteOptions, ZeroOptions } from '../../../core/ports/block-device.js';
import type { OpenMode, VolumeDriver } from '../../../core/ports/volume-driver.js';
import { StorageError } from '../storage-error.js';

export type FaultOp =
  | 'create' | 'delete' | 'extend' | 'snapshot' | 'deleteSnapshot' | 'revert' | 'clone' | 'open'
  | 'read' | 'write' | 'flush' | 'trim' | 'writeZeroes';

export interface FaultPlan {
  /** Decides per call whether it fails; `n` counts calls of that op so far (from 1). */
  fail(op: FaultOp, n: number): boolean;
  /** Failed data-path writes may land partially first (a torn write), like a disk failing mid-way. */
  tornWrites?: boolean;
  retryable?: boolean;
}

/** Fails the n-th call of `op` (and only it). */
export function failNth(op: FaultOp, nth: number): FaultPlan {
  return { fail: (o, n) => o === op && n === nth };
}

export function withFaults(inner: VolumeDriver, plan: FaultPlan): VolumeDriver & { injected: number } {
  const counts = new Map<FaultOp, number>();
  const state = { injected: 0 };
  const gate = (op: FaultOp): void => {
    const n = (counts.get(op) ?? 0) + 1;
    counts.set(op, n);
    if (plan.fail(op, n)) {
      state.injected++;
      throw new StorageError('io', `injected fault in ${op} #${n}`, plan.retryable ?? false);
    }
  };
  const wrapDevice = (dev: BlockDevice): BlockDevice => ({
    get size() {
      return dev.size;
    },
    get capabilities() {
      return dev.capabilities;
    },
    async read(offset: number, length: number) {
      gate('read');
      return dev.read(offset, length);
    },
    async write(offset: number, data: Uint8Array, o?: WriteOptions) {
      try {
        gate('write');
      } catch (e) {
        if (plan.tornWrites && data.length > 512) await dev.write(offset, data.subarray(0, Math.floor(data.length / 1024) * 512));
        throw e;
      }
      return dev.write(offset, data, o);
    },
    async flush() {
      gate('flush');
      return dev.flush();
    },
    async trim(offset: number, length: number, o?: WriteOptions) {
      gate('trim');
      return dev.trim(offset, length, o);
    },
    async writeZeroes(offset: number, length: number, o?: ZeroOptions) {
      gate('writeZeroes');
      return dev.writeZeroes(offset, length, o);
    },
    blockStatus: (offset: number, length: number): Promise<Extent[]> => dev.blockStatus(offset, length),
    close: () => dev.close(),
  });
  return {
    get injected() {
      return state.injected;
    },
    capabilities: inner.capabilities,
    stats: () => inner.stats(),
    create: async (id, size) => (gate('create'), inner.create(id, size)),
    delete: async (id) => (gate('delete'), inner.delete(id)),
    extend: async (id, size) => (gate('extend'), inner.extend(id, size)),
    snapshot: async (v, s) => (gate('snapshot'), inner.snapshot(v, s)),
    deleteSnapshot: async (s) => (gate('deleteSnapshot'), inner.deleteSnapshot(s)),
    revert: async (v, s) => (gate('revert'), inner.revert(v, s)),
    clone: async (src, id, size) => (gate('clone'), inner.clone(src, id, size)),
    changedBlocks: (a, b) => inner.changedBlocks(a, b),
    allocationMap: (id) => inner.allocationMap(id),
    open: async (id: string, mode: OpenMode) => {
      gate('open');
      return wrapDevice(await inner.open(id, mode));
    },
    close: () => inner.close(),
  };
}
