/**
 * Pure IPAM: free-range bookkeeping, the per-subnet allocator and EUI-64. Pure core (no node:*,
 * no I/O); the store persists its decisions (docs/ipam.md).
 */
export * from './eui64.js';
export * from './free-range-set.js';
export * from './ip-allocator.js';
