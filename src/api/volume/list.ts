/**
 * Cinder list queries over views: the list schemas of volumes, snapshots and attachments, and one
 * helper that filters, sorts, pages and links (then maps to the summary view when asked). Cinder's
 * special filters (metadata as a JSON dict, `name~` likes from 3.34, time comparisons from 3.60) are
 * attribute matchers here. Pure.
 */
import type { FastifyRequest } from 'fastify';
import { InvalidInput, NotFound } from '../../core/errors.js';
import {
  applyListQuery,
  collectionBody,
  paginationLinks,
  parseListQuery,
  type ListAttribute,
  type ListSchema,
  type RawQuery,
  type View,
} from '../http/list-query/index.js';
import { atLeast, volumeMicroversions as mv } from '../http/microversion/index.js';
import { query, versionOf } from './request.js';

const str = (filterable = true, sortable = true): ListAttribute => ({ type: 'string', filterable, sortable });

function metadataMatch(rowValue: unknown, wanted: readonly unknown[]): boolean {
  const row = (rowValue ?? {}) as Record<string, unknown>;
  return wanted.some((w) => {
    let want: unknown;
    try {
      want = JSON.parse(String(w).replace(/'/g, '"'));
    } catch {
      throw new InvalidInput(`Invalid input received: metadata filter ${String(w)} is not a JSON dictionary.`, 'InvalidInput');
    }
    if (!want || typeof want !== 'object') return false;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => row[k] === String(v));
  });
}

/** Cinder compares booleans given as strings ('true', 'True', '1'). */
function boolishMatch(rowValue: unknown, wanted: readonly unknown[]): boolean {
  const norm = (x: unknown) => (['true', '1', 't', 'yes'].includes(String(x).toLowerCase()) ? 'true' : 'false');
  return wanted.some((w) => norm(w) === norm(rowValue));
}

export const VOLUME_SCHEMA: ListSchema = {
  resource: 'volume',
  collection: 'volumes',
  attributes: {
    id: str(true, true),
    name: str(),
    status: str(),
    size: { type: 'integer', filterable: true, sortable: true },
    availability_zone: str(),
    bootable: { type: 'string', filterable: true, sortable: true, match: boolishMatch },
    metadata: { type: 'string', filterable: true, sortable: false, match: metadataMatch },
    volume_type: str(),
    volume_type_id: str(true, false),
    created_at: str(false, true),
    updated_at: str(false, true),
    user_id: str(true, false),
    snapshot_id: str(),
    source_volid: str(),
    multiattach: { type: 'boolean', filterable: true, sortable: false },
    group_id: str(true, false),
    'os-vol-tenant-attr:tenant_id': str(false, true),
    project_id: str(true, false),
  },
  markerNotFound: (m) => new NotFound(`Marker ${m} could not be found.`, 'MarkerNotFound'),
};

export const SNAPSHOT_SCHEMA: ListSchema = {
  resource: 'snapshot',
  collection: 'snapshots',
  attributes: {
    id: str(true, true),
    name: str(),
    status: str(),
    volume_id: str(),
    size: { type: 'integer', filterable: true, sortable: true },
    metadata: { type: 'string', filterable: true, sortable: false, match: metadataMatch },
    created_at: str(false, true),
    updated_at: str(false, true),
    user_id: str(true, false),
    project_id: str(true, false),
    group_snapshot_id: str(true, false),
  },
  markerNotFound: (m) => new NotFound(`Marker ${m} could not be found.`, 'MarkerNotFound'),
};

export const ATTACHMENT_SCHEMA: ListSchema = {
  resource: 'attachment',
  collection: 'attachments',
  attributes: {
    id: str(true, true),
    status: str(),
    volume_id: str(),
    instance: str(),
    attach_mode: str(),
    attached_at: str(false, true),
    created_at: str(false, true),
  },
  markerNotFound: (m) => new NotFound(`Marker ${m} could not be found.`, 'MarkerNotFound'),
};

export const BACKUP_SCHEMA: ListSchema = {
  resource: 'backup',
  collection: 'backups',
  attributes: {
    id: str(true, true),
    name: str(),
    status: str(),
    volume_id: str(),
    snapshot_id: str(true, false),
    size: { type: 'integer', filterable: true, sortable: true },
    container: str(),
    availability_zone: str(),
    is_incremental: { type: 'boolean', filterable: true, sortable: false },
    metadata: { type: 'string', filterable: true, sortable: false, match: metadataMatch },
    data_timestamp: str(false, true),
    created_at: str(false, true),
    updated_at: str(false, true),
    project_id: str(true, false),
  },
  markerNotFound: (m) => new NotFound(`Marker ${m} could not be found.`, 'MarkerNotFound'),
};

/** Transfers page and sort from 3.59 (volume-transfers and os-volume-transfer alike). */
export const TRANSFER_SCHEMA: ListSchema = {
  resource: 'transfer',
  collection: 'transfers',
  attributes: {
    id: str(true, true),
    name: str(),
    volume_id: str(),
    created_at: str(false, true),
  },
  markerNotFound: (m) => new NotFound(`Marker ${m} could not be found.`, 'MarkerNotFound'),
};

const RESERVED = ['all_tenants', 'project_id', 'with_count', 'is_public'];
const TIME_OPS: Record<string, (a: string, b: string) => boolean> = {
  gt: (a, b) => a > b, gte: (a, b) => a >= b, lt: (a, b) => a < b, lte: (a, b) => a <= b, eq: (a, b) => a === b, neq: (a, b) => a !== b,
};

/** `name~=vol` (3.34) and `created_at=gt:2024-…` (3.60) filters, applied before the generic ones. */
function specialFilters(raw: RawQuery, version: string): { rest: RawQuery; keep: (v: View) => boolean } {
  const rest: Record<string, string | readonly string[] | undefined> = {};
  const preds: Array<(v: View) => boolean> = [];
  for (const [k, val] of Object.entries(raw)) {
    const last = Array.isArray(val) ? val[val.length - 1] : (val as string | undefined);
    if (k.endsWith('~') && atLeast(version, mv.LIKE_FILTER) && last !== undefined) {
      const key = k.slice(0, -1);
      preds.push((v) => String(v[key] ?? '').toLowerCase().includes(last.toLowerCase()));
      continue;
    }
    if ((k === 'created_at' || k === 'updated_at') && atLeast(version, mv.VOLUME_TIME_COMPARISON_FILTER) && last !== undefined) {
      for (const part of last.split(',')) {
        const m = /^(gt|gte|lt|lte|eq|neq):(.+)$/.exec(part);
        if (!m) throw new InvalidInput(`Invalid input received: invalid time comparison filter ${part}.`, 'InvalidInput');
        const op = TIME_OPS[m[1] as string] as (a: string, b: string) => boolean;
        const when = new Date(m[2] as string).getTime();
        if (Number.isNaN(when)) throw new InvalidInput(`Invalid input received: invalid time ${m[2]}.`, 'InvalidInput');
        preds.push((v) => {
          const t = v[k] ? new Date(`${String(v[k])}Z`).toISOString() : '';
          return op(t, new Date(when).toISOString());
        });
      }
      continue;
    }
    // Cinder still sorts by the v1 names: display_name is name, display_description description.
    if ((k === 'sort_key' || k === 'sort') && val !== undefined) {
      const rename = (x: string) => x.replace(/\bdisplay_(name|description)\b/g, '$1');
      rest[k] = Array.isArray(val) ? (val as string[]).map(rename) : rename(val as string);
      continue;
    }
    rest[k] = val;
  }
  return { rest, keep: (v) => preds.every((p) => p(v)) };
}

/** Filters, sorts, pages and links `views`; `summary` maps the page to the short view afterwards. */
export function listBody(req: FastifyRequest, views: View[], schema: ListSchema, collectionUrl: string, summary?: (v: View) => View): Record<string, unknown> {
  const version = versionOf(req);
  const { rest, keep } = specialFilters(query(req) as RawQuery, version);
  const q = parseListQuery(rest, schema, { dialect: 'cinder', unknownFilters: 'ignore', reservedKeys: RESERVED });
  const { items, total } = applyListQuery(views.filter(keep), q, schema);
  const links = paginationLinks(items, q, query(req) as RawQuery, { baseUrl: collectionUrl });
  const shaped = summary ? items.map(summary) : items;
  const withCount = q.withCount && atLeast(version, mv.SUPPORT_COUNT_INFO);
  return collectionBody(schema.collection, shaped, links, withCount ? total : undefined);
}
