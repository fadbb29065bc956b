/**
 * Segment ownership (the ML2 type-driver job): types, configured ranges, provider validation,
 * tenant allocation and MTU. Pure core (no node:*, no I/O).
 */
export * from './network-type.js';
export * from './provider-segment.js';
export * from './segment-allocator.js';
export * from './type-driver-config.js';
