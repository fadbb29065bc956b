/**
 * OpenStack list conventions (paging, sorting, filtering, fields=, links) as pure functions over
 * plain view objects, shared by every API family. Imports only core.
 */
export * from './list-schema.js';
export * from './query-value.js';
export * from './list-query.js';
export * from './apply-list-query.js';
export * from './pagination-link.js';
export * from './list-response.js';
