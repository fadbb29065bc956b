/**
 * JSON text with exact big integers: `bigint` values are written as plain JSON numbers with every
 * digit (an IPv6 /64 holds 18446744073709551614 addresses, beyond a double's 2^53), everything else
 * as JSON.stringify writes it. Python clients (Tempest, openstacksdk) read such numbers exactly.
 * Imports nothing.
 */
export function stringifyExact(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : stringifyExact(v))).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function') continue;
      parts.push(`${JSON.stringify(k)}:${stringifyExact(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
