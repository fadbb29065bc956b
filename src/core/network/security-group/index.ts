/**
 * Security-group rules and groups as Neutron validates them. Pure core (no node:*, no I/O).
 */
export * from './protocol.js';
export * from './rule-duplicate.js';
export * from './security-group-rule.js';
export * from './security-group.js';
