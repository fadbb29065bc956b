/**
 * IP primitives: addresses, prefixes and ranges for both families. Pure core (no node:*, no I/O).
 */
export * from './address.js';
export * from './cidr.js';
export * from './range.js';
