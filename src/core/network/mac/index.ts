/**
 * MAC address validation, normalization and generation. Pure core (no node:*, no I/O).
 */
export * from './mac-address.js';
