/**
 * Converting query-string values the way the OpenStack services do, and quoting values in error
 * messages the way their Python code does (clients and tempest-style tests grep those messages).
 * Pure: imports only core.
 */
import { InvalidInput } from '../../../core/errors.js';
import type { AttrType, FilterValue } from './list-schema.js';

/** Which service's conventions a list request follows. */
export type ListDialect = 'neutron' | 'cinder';

/** Raw query as the HTTP layer hands it over: repeated keys arrive as arrays. */
export type RawQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

/** All values of `key`, in order; empty when absent. */
export function allValues(raw: RawQuery, key: string): string[] {
  const v = raw[key];
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : [...v];
}

/** The last value of `key` (what a Python MultiDict `.get` returns), or undefined. */
export function lastValue(raw: RawQuery, key: string): string | undefined {
  const all = allValues(raw, key);
  return all.length ? all[all.length - 1] : undefined;
}

/** Python's repr of a string or a list of strings, for messages like "['x'] is invalid ...". */
export function pyRepr(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Neutron's invalid-input wrapper: `Invalid input for operation: <reason>.` */
export function neutronInvalidInput(reason: string): InvalidInput {
  return new InvalidInput(`Invalid input for operation: ${reason}.`, 'InvalidInput');
}

/** Cinder's invalid-input wrapper: `Invalid input received: <reason>` */
export function cinderInvalidInput(reason: string): InvalidInput {
  return new InvalidInput(`Invalid input received: ${reason}`, 'InvalidInput');
}

const INT_RE = /^\s*[+-]?\d+\s*$/;

/** Python `int(s)` on a string: optional sign, digits, surrounding blanks. Null when not an int. */
export function parseIntLike(s: string): number | null {
  if (!INT_RE.test(s)) return null;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Neutron's convert_to_boolean: true/false/1/0 in any case, and real booleans. Null when it is none
 * of those, so callers raise with their own wording.
 */
export function toBooleanStrict(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v !== 'string') return null;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return null;
}

const LENIENT_TRUE = new Set(['t', 'true', 'on', 'y', 'yes', '1']);

/** Cinder's bool_from_string(strict=False): the truthy spellings are true, anything else false. */
export function toBooleanLenient(v: string): boolean {
  return LENIENT_TRUE.has(v.trim().toLowerCase());
}

/** Converts one filter value from the query string to the attribute's type, or throws InvalidInput. */
export function convertFilterValue(type: AttrType, raw: string, dialect: ListDialect): FilterValue {
  switch (type) {
    case 'boolean': {
      if (dialect === 'cinder') return toBooleanLenient(raw);
      const b = toBooleanStrict(raw);
      if (b === null) throw neutronInvalidInput(`${pyRepr(raw)} cannot be converted to boolean`);
      return b;
    }
    case 'integer': {
      const n = parseIntLike(raw);
      if (n === null) {
        const reason = `${pyRepr(raw)} is not an integer`;
        throw dialect === 'cinder' ? cinderInvalidInput(reason) : neutronInvalidInput(reason);
      }
      return n;
    }
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n)) {
        const reason = `${pyRepr(raw)} is not a number`;
        throw dialect === 'cinder' ? cinderInvalidInput(reason) : neutronInvalidInput(reason);
      }
      return n;
    }
    default:
      return raw;
  }
}
