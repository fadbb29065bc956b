/**
 * Subnet rules as Neutron applies them: defaults, validation, pools, routes, nameservers, IPv6
 * modes, overlap and subnet-pool prefix allocation. Pure core (no node:*, no I/O).
 */
export * from './allocation-pool.js';
export * from './dns-nameserver.js';
export * from './gateway.js';
export * from './host-route.js';
export * from './ipv6-mode.js';
export * from './subnet-error.js';
export * from './subnet-overlap.js';
export * from './subnet-pool.js';
export * from './subnet.js';
