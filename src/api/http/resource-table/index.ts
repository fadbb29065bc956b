/**
 * Resource tables: one declaration per resource drives body validation, views, list filters and
 * sorting, and the JSON schema. Imports only core and ../list-query.
 */
export * from './resource-table.js';
export * from './validate-body.js';
export * from './render-view.js';
export * from './entity-list.js';
export * as validators from './validator.js';
export type { Validator, Converter } from './validator.js';
