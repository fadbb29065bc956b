/** Request-body helpers for Keystone routes: the envelope key, and typed optional fields. */
import { InvalidInput } from '../../core/errors.js';

export function envelope(body: unknown, key: string): Record<string, unknown> {
  const o = body as Record<string, unknown> | null | undefined;
  const inner = o && typeof o === 'object' ? o[key] : undefined;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) {
    throw new InvalidInput(`Invalid input for field '${key}': expected an object named '${key}' in the request body.`, 'ValidationError');
  }
  return inner as Record<string, unknown>;
}

export function str(o: Record<string, unknown>, key: string, nullable = false): string | null | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === null && nullable) return null;
  if (typeof v !== 'string') throw new InvalidInput(`Invalid input for field '${key}': expected a string.`, 'ValidationError');
  return v;
}

export function bool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new InvalidInput(`Invalid input for field '${key}': expected a boolean.`, 'ValidationError');
  return v;
}

export function strList(o: Record<string, unknown>, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new InvalidInput(`Invalid input for field '${key}': expected a list of strings.`, 'ValidationError');
  }
  return v as string[];
}

/** Keystone list filters: exact match of the given wire fields against query parameters. */
export function filterByQuery<T>(items: T[], query: Record<string, unknown>, fields: Record<string, (t: T) => unknown>): T[] {
  const active = Object.entries(fields).filter(([k]) => typeof query[k] === 'string');
  if (active.length === 0) return items;
  return items.filter((it) =>
    active.every(([k, get]) => {
      const v = get(it);
      const q = query[k] as string;
      return typeof v === 'boolean' ? String(v) === q.toLowerCase() : String(v) === q;
    }),
  );
}
