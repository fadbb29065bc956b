/**
 * One table per resource, declared as data (neutron-lib's attribute maps are the model): each wire
 * attribute says whether it may be set on create or update, its default, type, converter and
 * validators, whether it is shown, admin-only, filterable, sortable, and which domain property it
 * reads. Everything else — body validation, views, the list schema used by list-query, the JSON
 * schema — is derived from the table, so routes never map fields by hand.
 * Pure: imports only core and the sibling list-query folder.
 */
import type { AttrType, ListAttribute, ListSchema } from '../list-query/list-schema.js';
import type { Converter, Validator } from './validator.js';

/** The part of a request context the table needs. */
export interface TableContext {
  isAdmin?: boolean;
  roles?: readonly string[];
}

export function isAdminContext(ctx: TableContext): boolean {
  return ctx.isAdmin ?? (ctx.roles?.includes('admin') === true);
}

export interface FieldSpec<E = any> {
  type: AttrType;
  /** May be given on create (Neutron allow_post). Default false. */
  allowCreate?: boolean;
  /** May be given on update (Neutron allow_put). Default false. */
  allowUpdate?: boolean;
  /**
   * Value filled on create when absent; a function is called per request. Without a default an
   * attribute allowed on create is required (Neutron's rule), unless `required: false`.
   */
  default?: unknown;
  required?: boolean;
  /** Null is accepted and skips conversion and validation. */
  nullable?: boolean;
  /** Runs before the validators; replaces the conversion implied by `type`. */
  convert?: Converter;
  validate?: Validator | readonly Validator[];
  /** Shown in views (is_visible). Default true. */
  visible?: boolean;
  /** Shown to, settable by, filterable and sortable by admins only. */
  adminOnly?: boolean;
  /** Default: true for visible scalar attributes. */
  filterable?: boolean;
  /** Default: true for visible scalar attributes. */
  sortable?: boolean;
  /** Custom filter semantics for list queries. */
  match?: ListAttribute['match'];
  /** Domain property this attribute maps to. Default: the wire name in camelCase. */
  source?: string;
  /** Computes the view value instead of reading `source`. */
  get?: (entity: E, ctx: TableContext) => unknown;
  description?: string;
}

export interface ResourceDefinition<E = any> {
  /** Member name: `network`, `volume`; the request/response body key. */
  name: string;
  /** Collection name: `networks`. */
  collection: string;
  fields: Record<string, FieldSpec<E>>;
  /** Default `id`. */
  idKey?: string;
}

/** A field with every default resolved. */
export interface Field<E = any> extends FieldSpec<E> {
  wireName: string;
  allowCreate: boolean;
  allowUpdate: boolean;
  required: boolean;
  hasDefault: boolean;
  nullable: boolean;
  visible: boolean;
  adminOnly: boolean;
  filterable: boolean;
  sortable: boolean;
  source: string;
  validators: readonly Validator[];
}

export interface ResourceTable<E = any> {
  name: string;
  collection: string;
  idKey: string;
  /** In declaration order, which is the order of view keys. */
  fields: readonly Field<E>[];
  byWireName: ReadonlyMap<string, Field<E>>;
}

const SCALAR: ReadonlySet<AttrType> = new Set(['string', 'integer', 'number', 'boolean']);

/** `admin_state_up` -> `adminStateUp`, `provider:network_type` -> `providerNetworkType`. */
export function camelCase(wireName: string): string {
  return wireName.replace(/[_:-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Builds a table; throws at definition time for contradictory declarations. */
export function defineResource<E = any>(def: ResourceDefinition<E>): ResourceTable<E> {
  const fields: Field<E>[] = [];
  for (const [wireName, spec] of Object.entries(def.fields)) {
    const hasDefault = Object.prototype.hasOwnProperty.call(spec, 'default');
    const allowCreate = spec.allowCreate ?? false;
    const required = spec.required ?? (allowCreate && !hasDefault);
    if (required && hasDefault) throw new Error(`${def.name}.${wireName}: required attribute with a default`);
    if (required && !allowCreate) throw new Error(`${def.name}.${wireName}: required but not allowed on create`);
    const visible = spec.visible ?? true;
    const scalar = SCALAR.has(spec.type);
    const v = spec.validate;
    fields.push(
      Object.freeze({
        ...spec,
        wireName,
        allowCreate,
        allowUpdate: spec.allowUpdate ?? false,
        required,
        hasDefault,
        nullable: spec.nullable ?? false,
        visible,
        adminOnly: spec.adminOnly ?? false,
        filterable: spec.filterable ?? (visible && scalar),
        sortable: spec.sortable ?? (visible && scalar),
        source: spec.source ?? camelCase(wireName),
        validators: v === undefined ? [] : typeof v === 'function' ? [v] : [...v],
      }),
    );
  }
  const idKey = def.idKey ?? 'id';
  return Object.freeze({
    name: def.name,
    collection: def.collection,
    idKey,
    fields: Object.freeze(fields),
    byWireName: new Map(fields.map((f) => [f.wireName, f])),
  });
}

/** Fields this caller may see (visible, and admin-only ones only for admins). */
export function visibleFields<E>(table: ResourceTable<E>, ctx: TableContext): Field<E>[] {
  const admin = isAdminContext(ctx);
  return table.fields.filter((f) => f.visible && (admin || !f.adminOnly));
}

/**
 * The list-query schema for this caller: admin-only attributes vanish for non-admins, so they can
 * neither filter nor sort by what they cannot see (an unknown key is ignored or rejected).
 */
export function listSchema<E>(table: ResourceTable<E>, ctx: TableContext): ListSchema {
  const attributes: Record<string, ListAttribute> = {};
  for (const f of visibleFields(table, ctx)) {
    attributes[f.wireName] = { type: f.type, filterable: f.filterable, sortable: f.sortable, match: f.match };
  }
  return { resource: table.name, collection: table.collection, attributes, idKey: table.idKey };
}

function jsonType(f: Field): Record<string, unknown> {
  const base: Record<string, unknown> =
    f.type === 'string' ? { type: 'string' }
    : f.type === 'integer' ? { type: ['integer', 'string'] }
    : f.type === 'number' ? { type: 'number' }
    : f.type === 'boolean' ? { type: ['boolean', 'string'] }
    : f.type === 'list' ? { type: 'array' }
    : f.type === 'dict' ? { type: 'object' }
    : {};
  if (f.nullable && base['type'] !== undefined) {
    const t = base['type'];
    base['type'] = [...(Array.isArray(t) ? t : [t]), 'null'];
  }
  if (f.description) base['description'] = f.description;
  return base;
}

/**
 * JSON Schema of a create or update body (`{ <name>: {...} }`), for documentation and clients.
 * validateCreate/validateUpdate remain the authority: they produce the services' exact messages.
 */
export function jsonSchema<E>(table: ResourceTable<E>, op: 'create' | 'update'): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of table.fields) {
    if (op === 'create' ? !f.allowCreate : !f.allowUpdate) continue;
    properties[f.wireName] = jsonType(f);
    if (op === 'create' && f.required) required.push(f.wireName);
  }
  const member: Record<string, unknown> = { type: 'object', properties, additionalProperties: false };
  if (required.length) member['required'] = required;
  return { type: 'object', properties: { [table.name]: member }, required: [table.name] };
}
