/**
 * Request helpers for the Cinder routes: the versioned base URLs, the envelope of a body
 * (`{"volume": {...}}`), query values and the view context. Thin and pure.
 */
import type { FastifyRequest } from 'fastify';
import { InvalidInput } from '../../core/errors.js';
import { baseUrl } from '../http/server.js';

export type Params = Record<string, string>;
export type Query = Record<string, string | string[] | undefined>;

export const params = (req: FastifyRequest) => req.params as Params;
export const query = (req: FastifyRequest) => req.query as Query;

/** The microversion negotiated for this request (3.0 when none was asked). */
export const versionOf = (req: FastifyRequest): string => req.ctx.microversion ?? '3.0';

/** `http://h:p/volume/v3/<project>` (or without the project, as the request came). */
export function apiBase(req: FastifyRequest): string {
  const p = params(req).project_id;
  return `${baseUrl(req)}/volume/v3${p ? `/${p}` : ''}`;
}

export function bookmarkBase(req: FastifyRequest): string {
  const p = params(req).project_id;
  return `${baseUrl(req)}/volume${p ? `/${p}` : ''}`;
}

/** The object under `key` in the body; a missing or non-object one is Cinder's 400. */
export function envelope(body: unknown, key: string): Record<string, unknown> {
  const o = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined;
  if (!o || typeof o !== 'object' || Array.isArray(o)) {
    throw new InvalidInput(`Missing required element '${key}' in request body.`, 'HTTPBadRequest');
  }
  return o as Record<string, unknown>;
}

export function bodyObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InvalidInput('Malformed request body.', 'HTTPBadRequest');
  return body as Record<string, unknown>;
}

export function queryFlag(q: Query, key: string): boolean {
  const v = q[key];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  if (s === undefined) return false;
  return ['1', 'true', 't', 'yes', 'y', 'on'].includes(s.toLowerCase());
}

export function queryValue(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Registers a route under both `/volume/v3/{project_id}/…` and `/volume/v3/…` (3.67). */
export function bothPaths(path: string): string[] {
  return [`/volume/v3/:project_id${path}`, `/volume/v3${path}`];
}
