/**
 * Attribute validators and converters for resource tables, worded as neutron-lib's so clients and
 * tests that match messages keep working. A validator returns the reason a value is invalid, or null
 * (the table wraps it as "Invalid input for <attr>. Reason: <reason>."); a converter returns the
 * converted value or throws InvalidInput ("Invalid input for operation: <reason>.").
 * IP and CIDR checks delegate to core/network/ip so there is one parser in the codebase.
 * Pure: imports only core and the sibling list-query folder.
 */
import { InvalidInput } from '../../../core/errors.js';
import { describeCidrProblem, isIpAddress } from '../../../core/network/ip/index.js';
import { neutronInvalidInput, parseIntLike, pyRepr, toBooleanStrict } from '../list-query/query-value.js';

export type Validator = (value: unknown) => string | null;
export type Converter = (value: unknown) => unknown;

/** Python's `'%s' % value`, used inside quotes in neutron-lib messages. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || v === null || v === undefined || typeof v === 'boolean') return pyRepr(v);
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `'${k}': ${pyRepr(x)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- converters --------------------------------------------------------------------------------

/** convert_to_boolean: true/false, "true"/"True"/"false"/"1"/"0", 1/0. */
export const toBoolean: Converter = (v) => {
  const b = toBooleanStrict(v);
  if (b === null) throw neutronInvalidInput(`'${pyStr(v)}' cannot be converted to boolean`);
  return b;
};

/** convert_to_int: integers and integer strings. */
export const toInt: Converter = (v) => {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string') {
    const n = parseIntLike(v);
    if (n !== null) return n;
  }
  throw neutronInvalidInput(`'${pyStr(v)}' is not an integer`);
};

/** Same as toInt but lets null through (`convert_to_int_if_not_none`). */
export const toIntOrNull: Converter = (v) => (v === null ? null : toInt(v));

/** A single value becomes a one-element list (`convert_to_list`); null stays an empty list. */
export const toList: Converter = (v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);

// ---- validators --------------------------------------------------------------------------------

export function string(maxLength?: number): Validator {
  return (v) => {
    if (typeof v !== 'string') return `'${pyStr(v)}' is not a valid string`;
    if (maxLength !== undefined && v.length > maxLength) return `'${v}' exceeds maximum length of ${maxLength}`;
    return null;
  };
}

const UUID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

export const uuid: Validator = (v) =>
  typeof v === 'string' && UUID_RE.test(v) ? null : `'${pyStr(v)}' is not a valid UUID`;

export const boolean: Validator = (v) =>
  typeof v === 'boolean' || toBooleanStrict(v) !== null ? null : `'${pyStr(v)}' is not a valid boolean value`;

export const nonNegative: Validator = (v) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) return `'${pyStr(v)}' is not an integer`;
  return v < 0 ? `'${v}' should be non-negative` : null;
};

export function range(min: number, max?: number): Validator {
  return (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return `'${pyStr(v)}' is not an integer`;
    if (v < min) return `'${v}' is too small - must be at least '${min}'`;
    if (max !== undefined && v > max) return `'${v}' is too large - must be no larger than '${max}'`;
    return null;
  };
}

export function oneOf(values: readonly (string | number | boolean)[]): Validator {
  return (v) =>
    values.includes(v as string | number | boolean) ? null : `'${pyStr(v)}' is not in ${pyRepr(values)}`;
}

export const dict: Validator = (v) => (isPlainObject(v) ? null : `'${pyStr(v)}' is not a dictionary`);

/** A list whose elements all pass `item` (when given); duplicates rejected when `unique`. */
export function listOf(item?: Validator, opts: { unique?: boolean } = {}): Validator {
  return (v) => {
    if (!Array.isArray(v)) return `'${pyStr(v)}' is not a list`;
    if (item) {
      for (const e of v) {
        const reason = item(e);
        if (reason !== null) return reason;
      }
    }
    if (opts.unique && new Set(v.map((e) => JSON.stringify(e))).size !== v.length) {
      return `Duplicate items in the list: '${v.map(pyStr).join(', ')}'`;
    }
    return null;
  };
}

export const ipAddress: Validator = (v) =>
  typeof v === 'string' && isIpAddress(v) ? null : `'${pyStr(v)}' is not a valid IP address`;

/** A subnet cidr in canonical form (Neutron's `type:subnet`), wording from core/network/ip. */
export const cidr: Validator = (v) =>
  typeof v === 'string' ? describeCidrProblem(v) : `'${pyStr(v)}' is not a valid IP subnet`;

const MAC_RE = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

export const macAddress: Validator = (v) =>
  typeof v === 'string' && MAC_RE.test(v) ? null : `'${pyStr(v)}' is not a valid MAC address`;

/** Null passes; anything else must pass `inner` (`type:uuid_or_none` and friends). */
export function orNull(inner: Validator): Validator {
  return (v) => (v === null ? null : inner(v));
}

/** Adapts a predicate someone else owns (for example a stricter parser) into a validator. */
export function fromPredicate(test: (v: unknown) => boolean, reason: (v: unknown) => string): Validator {
  return (v) => (test(v) ? null : reason(v));
}

/** Throws InvalidInput when `reason` is set: for code outside tables that wants the same wording. */
export function assertValid(attr: string, value: unknown, validator: Validator): void {
  const reason = validator(value);
  if (reason !== null) throw new InvalidInput(`Invalid input for ${attr}. Reason: ${reason}.`, 'HTTPBadRequest');
}
