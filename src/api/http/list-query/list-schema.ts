/**
 * What a list query may touch: the attributes of one resource's view that can be filtered and sorted,
 * with the type that decides how a query-string value is converted and compared. The resource table
 * (../resource-table) derives one from its field declarations; a route may also write one by hand.
 * Pure: imports only core.
 */
import { DomainError, NotFound } from '../../../core/errors.js';

/** How a wire value is typed; drives filter conversion, comparison and the JSON schema. */
export type AttrType = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'dict' | 'any';

/** A value a filter compares against, after conversion from the query string. */
export type FilterValue = string | number | boolean;

export interface ListAttribute {
  type: AttrType;
  filterable: boolean;
  sortable: boolean;
  /**
   * Custom filter semantics (tags, substring filters, ...): return whether `rowValue` matches any of
   * `wanted` (already converted). Replaces the default equality match.
   */
  match?: (rowValue: unknown, wanted: readonly FilterValue[]) => boolean;
}

export interface ListSchema {
  /** Member name in snake_case (`network`, `security_group`, `volume`); used in error messages. */
  resource: string;
  /** Collection name (`networks`); the response key and the `<collection>_links` key. */
  collection: string;
  attributes: Readonly<Record<string, ListAttribute>>;
  /** Key of the unique id in a view. Default `id`. */
  idKey?: string;
  /** Error for a marker that names no row. Default: NotFound `<Resource> <id> could not be found.` */
  markerNotFound?: (marker: string) => DomainError;
}

/** `security_group` -> `Security group` (Neutron's and Cinder's message spelling). */
export function resourceLabel(resource: string): string {
  const words = resource.replace(/[-_:]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `security_group` -> `SecurityGroup`. */
export function resourceTypeName(resource: string): string {
  return resource
    .split(/[-_:\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The error OpenStack services raise when a referenced id does not exist (NetworkNotFound, 404). */
export function notFoundFor(schema: ListSchema, id: string): DomainError {
  if (schema.markerNotFound) return schema.markerNotFound(id);
  return new NotFound(
    `${resourceLabel(schema.resource)} ${id} could not be found.`,
    `${resourceTypeName(schema.resource)}NotFound`,
  );
}
