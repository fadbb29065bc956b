/**
 * Validating create and update bodies against a resource table, in Neutron's order and words:
 * body shape, unrecognized attributes, required / not-allowed-on-POST / read-only-on-PUT, defaults,
 * conversion, validators, and finally the admin-only policy check (403 PolicyNotAuthorized), as
 * Neutron enforces policy after parsing the body. All 400s are InvalidInput with type HTTPBadRequest
 * (what Neutron's webob errors render as), except converter failures, which are InvalidInput.
 * Pure: imports only core and this folder.
 */
import { Forbidden, InvalidInput } from '../../../core/errors.js';
import { type Field, type ResourceTable, type TableContext, isAdminContext } from './resource-table.js';
import { type Converter, type Validator, dict, listOf, pyStr, string, toBoolean, toInt } from './validator.js';

export type Attributes = Record<string, unknown>;

function badRequest(message: string): InvalidInput {
  return new InvalidInput(message, 'HTTPBadRequest');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isNumber: Validator = (v) =>
  typeof v === 'number' && Number.isFinite(v) ? null : `'${pyStr(v)}' is not a number`;
const anyList = listOf();
const anyString = string();

/** Conversion implied by the declared type when the field names no converter of its own. */
function impliedConverter(f: Field): Converter | undefined {
  if (f.convert) return f.convert;
  if (f.type === 'boolean') return toBoolean;
  if (f.type === 'integer') return toInt;
  return undefined;
}

/** Type check implied by the declared type, run before the field's own validators. */
function impliedValidator(f: Field): Validator | undefined {
  if (f.convert) return undefined;
  switch (f.type) {
    case 'string':
      return anyString;
    case 'number':
      return isNumber;
    case 'list':
      return anyList;
    case 'dict':
      return dict;
    default:
      return undefined;
  }
}

/** Extracts `body[member]`, with Neutron's messages for each way a body can be malformed. */
export function unwrapBody(table: ResourceTable, body: unknown): Attributes {
  if (body === undefined || body === null || (isPlainObject(body) && Object.keys(body).length === 0)) {
    throw badRequest('Resource body required');
  }
  if (!isPlainObject(body)) throw badRequest('Body contains invalid data');
  const inner = body[table.name];
  if (inner === undefined || inner === null) throw badRequest(`Unable to find '${table.name}' in request body`);
  if (!isPlainObject(inner)) throw badRequest(`Object '${table.name}' contains invalid data`);
  return inner;
}

function rejectUnrecognized(table: ResourceTable, attrs: Attributes): void {
  const extra = Object.keys(attrs).filter((k) => !table.byWireName.has(k));
  if (extra.length) throw badRequest(`Unrecognized attribute(s) '${extra.sort().join(', ')}'`);
}

function convertAndValidate(f: Field, value: unknown): unknown {
  if (value === null && f.nullable) return null;
  const convert = impliedConverter(f);
  const v = convert ? convert(value) : value;
  const implied = impliedValidator(f);
  for (const check of implied ? [implied, ...f.validators] : f.validators) {
    const reason = check(v);
    if (reason !== null) throw badRequest(`Invalid input for ${f.wireName}. Reason: ${reason}.`);
  }
  return v;
}

function enforceAdminOnly(table: ResourceTable, attrs: Attributes, ctx: TableContext, action: string): void {
  if (isAdminContext(ctx)) return;
  for (const key of Object.keys(attrs)) {
    if (table.byWireName.get(key)?.adminOnly) {
      throw new Forbidden(`(rule:${action}_${table.name}:${key}) is disallowed by policy`, 'PolicyNotAuthorized');
    }
  }
}

function resolveDefault(f: Field): unknown {
  return typeof f.default === 'function' ? (f.default as () => unknown)() : f.default;
}

/** Validates the attributes of one resource to create (already unwrapped); returns them with defaults. */
export function validateCreateAttributes(table: ResourceTable, attrs: Attributes, ctx: TableContext): Attributes {
  rejectUnrecognized(table, attrs);
  const out: Attributes = {};
  const given = (k: string) => Object.prototype.hasOwnProperty.call(attrs, k);
  for (const f of table.fields) {
    if (!f.allowCreate) {
      if (given(f.wireName)) throw badRequest(`Attribute '${f.wireName}' not allowed in POST`);
      continue;
    }
    if (!given(f.wireName)) {
      if (f.required) throw badRequest(`Failed to parse request. Required attribute '${f.wireName}' not specified`);
      if (f.hasDefault) out[f.wireName] = resolveDefault(f);
    }
  }
  for (const f of table.fields) {
    if (f.allowCreate && given(f.wireName)) out[f.wireName] = convertAndValidate(f, attrs[f.wireName]);
  }
  enforceAdminOnly(table, attrs, ctx, 'create');
  return out;
}

/** Validates the attributes of an update (already unwrapped); returns only the ones given. */
export function validateUpdateAttributes(table: ResourceTable, attrs: Attributes, ctx: TableContext): Attributes {
  rejectUnrecognized(table, attrs);
  for (const f of table.fields) {
    if (!f.allowUpdate && Object.prototype.hasOwnProperty.call(attrs, f.wireName)) {
      throw badRequest(`Cannot update read-only attribute ${f.wireName}`);
    }
  }
  const out: Attributes = {};
  for (const f of table.fields) {
    if (Object.prototype.hasOwnProperty.call(attrs, f.wireName)) {
      out[f.wireName] = convertAndValidate(f, attrs[f.wireName]);
    }
  }
  enforceAdminOnly(table, attrs, ctx, 'update');
  return out;
}

/** `POST {"network": {...}}` -> validated attributes keyed by wire name, defaults filled. */
export function validateCreate(table: ResourceTable, body: unknown, ctx: TableContext): Attributes {
  return validateCreateAttributes(table, unwrapBody(table, body), ctx);
}

/** `PUT {"network": {...}}` -> the validated attributes to change, keyed by wire name. */
export function validateUpdate(table: ResourceTable, body: unknown, ctx: TableContext): Attributes {
  return validateUpdateAttributes(table, unwrapBody(table, body), ctx);
}

/** Neutron bulk create: `{"networks": [{...}, ...]}` or a single `{"network": {...}}`. */
export function validateCreateMany(table: ResourceTable, body: unknown, ctx: TableContext): Attributes[] {
  if (isPlainObject(body) && Object.prototype.hasOwnProperty.call(body, table.collection)) {
    const items = body[table.collection];
    if (!Array.isArray(items) || items.length === 0) throw badRequest('Resources required');
    return items.map((raw) => {
      // Neutron takes a bulk item bare or wrapped in its member name ({"security_group": {...}}).
      const item = isPlainObject(raw) && Object.prototype.hasOwnProperty.call(raw, table.name) ? raw[table.name] : raw;
      if (!isPlainObject(item)) throw badRequest(`Object '${table.name}' contains invalid data`);
      return validateCreateAttributes(table, item, ctx);
    });
  }
  return [validateCreate(table, body, ctx)];
}

/** Renames validated wire attributes to the domain properties they map to (`source`). */
export function toDomain(table: ResourceTable, attrs: Attributes): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const f = table.byWireName.get(k);
    if (f) out[f.source] = v;
  }
  return out;
}
