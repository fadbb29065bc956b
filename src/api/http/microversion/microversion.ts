/**
 * API microversions as Cinder and Nova negotiate them: read `OpenStack-API-Version: <service> X.Y`
 * (or Nova's legacy `X-OpenStack-Nova-API-Version: X.Y`), accept `latest`, default to the minimum,
 * answer 400 for a malformed version and 406 for one outside [min, max], and echo the version back
 * with `Vary`. Versions compare numerically per part (3.9 < 3.10), which is why they are never
 * compared as strings or floats. Pure: imports only core.
 */
import { DomainError, InvalidInput } from '../../../core/errors.js';

export interface Microversion {
  readonly major: number;
  readonly minor: number;
}

/** A version as code writes it (`'3.40'`) or a parsed one. */
export type VersionLike = string | Microversion;

/**
 * 406 Not Acceptable: the requested version is well-formed but outside what we serve. core/errors has
 * no 406 category, so this extends DomainError directly with Cinder's/Nova's exception name.
 */
export class MicroversionNotAcceptable extends DomainError {
  readonly code = 'unsupported';
  readonly status = 406;
  constructor(message: string, detail = '') {
    super(message, 'InvalidGlobalAPIVersion', detail);
  }
}

const VERSION_RE = /^([1-9]\d*)\.([1-9]\d*|0)$/;

/** Parses `X.Y` strictly (no leading zeros, no sign); throws 400 InvalidAPIVersionString otherwise. */
export function parseVersion(text: string): Microversion {
  const m = VERSION_RE.exec(text);
  if (!m) {
    throw new InvalidInput(
      `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`,
      'InvalidAPIVersionString',
    );
  }
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function toVersion(v: VersionLike): Microversion {
  return typeof v === 'string' ? parseVersion(v) : v;
}

export function formatVersion(v: Microversion): string {
  return `${v.major}.${v.minor}`;
}

/** Negative, zero or positive as `a` is below, equal to or above `b`. */
export function compareVersions(a: VersionLike, b: VersionLike): number {
  const x = toVersion(a);
  const y = toVersion(b);
  return x.major - y.major || x.minor - y.minor;
}

/** `atLeast(req.microversion, VOLUME_REVERT)`: the request may use a feature introduced at `min`. */
export function atLeast(v: VersionLike, min: VersionLike): boolean {
  return compareVersions(v, min) >= 0;
}

/** Inclusive range check; `max` omitted means no upper bound (Cinder's `matches(min, None)`). */
export function inRange(v: VersionLike, min: VersionLike, max?: VersionLike): boolean {
  return atLeast(v, min) && (max === undefined || compareVersions(v, max) <= 0);
}

/** Picks the entry whose [min, max] contains `v` — for views or handlers that change across versions. */
export function selectByVersion<T>(
  v: VersionLike,
  choices: ReadonlyArray<{ min: VersionLike; max?: VersionLike; value: T }>,
): T | undefined {
  for (const c of choices) if (inRange(v, c.min, c.max)) return c.value;
  return undefined;
}

/** What one API serves. */
export interface MicroversionPolicy {
  /** Service type in the header: `volume`, `compute`. */
  service: string;
  min: string;
  max: string;
  /** Nova's pre-2.27 header, read when the standard one names no version for `service`. */
  legacyHeader?: string;
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

function headerValues(headers: HeaderBag, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    if (typeof v === 'string') out.push(v);
    else out.push(...v);
  }
  return out;
}

/**
 * The version text the client asked for `service`, or undefined. The standard header may list several
 * services (`volume 3.44, compute 2.1`) or arrive repeated; the service type is case-insensitive.
 */
export function requestedVersionText(headers: HeaderBag, policy: MicroversionPolicy): string | undefined {
  const service = policy.service.toLowerCase();
  for (const value of headerValues(headers, 'OpenStack-API-Version')) {
    for (const item of value.split(',')) {
      const parts = item.trim().split(/\s+/);
      if (parts.length === 2 && parts[0].toLowerCase() === service) return parts[1];
    }
  }
  if (policy.legacyHeader) {
    const legacy = headerValues(headers, policy.legacyHeader);
    if (legacy.length) return legacy[legacy.length - 1].trim();
  }
  return undefined;
}

/**
 * The version to serve this request: the minimum when none is asked, the maximum for `latest`.
 * Throws 400 (malformed) or 406 (out of range) with Cinder's and Nova's messages.
 */
export function negotiateMicroversion(headers: HeaderBag, policy: MicroversionPolicy): Microversion {
  const min = parseVersion(policy.min);
  const max = parseVersion(policy.max);
  const text = requestedVersionText(headers, policy);
  if (text === undefined) return min;
  if (text.toLowerCase() === 'latest') return max;
  const v = parseVersion(text);
  if (!inRange(v, min, max)) {
    throw new MicroversionNotAcceptable(
      `Version ${text} is not supported by the API. Minimum is ${policy.min} and maximum is ${policy.max}.`,
    );
  }
  return v;
}

/** Headers every microversioned response carries, errors included once a version is known. */
export function microversionResponseHeaders(v: Microversion, policy: MicroversionPolicy): Record<string, string> {
  const version = formatVersion(v);
  const headers: Record<string, string> = { 'OpenStack-API-Version': `${policy.service} ${version}` };
  if (policy.legacyHeader) {
    headers[policy.legacyHeader] = version;
    headers['Vary'] = `OpenStack-API-Version, ${policy.legacyHeader}`;
  } else {
    headers['Vary'] = 'OpenStack-API-Version';
  }
  return headers;
}

/** The `version`/`min_version` pair a versions document (`GET /volume/`) advertises. */
export function versionDocumentFields(policy: MicroversionPolicy): { min_version: string; version: string } {
  return { min_version: policy.min, version: policy.max };
}
