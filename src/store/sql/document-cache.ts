/**
 * A per-process cache of parsed resource documents, so a list reads each row's small header (id,
 * revision, timestamps) and parses only the documents it has not seen at that
 * revision. Entries are frozen and shared by every caller (the store's contract: documents returned
 * by `list` are read-only).
 *
 * Why a stale entry cannot be served, even with several processes on one PostgreSQL: an entry is
 * used only when the row's current header, read in the same query as the list, has the same
 * revision, created_at and updated_at; every write bumps the revision, and ids of cached kinds are
 * server-generated UUIDs, so (id, revision) names one committed content. Only reads outside a
 * transaction fill the cache (a transaction may roll back); writes in this process drop their entry.
 */
import type { StoredResource } from '../../core/ports/resource-store.js';

/** Kinds whose lists go through the cache: the network resources that grow to thousands of rows. */
export const DEFAULT_CACHED_KINDS: readonly string[] = ['port', 'network', 'subnet'];

export interface RowHeader {
  id: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

export class DocumentCache {
  private readonly byKind = new Map<string, Map<string, StoredResource<unknown>>>();
  private size = 0;

  constructor(
    readonly kinds: ReadonlySet<string> = new Set(DEFAULT_CACHED_KINDS),
    /** Above this many entries the cache starts over (a bound, not an LRU: lists refill it). */
    private readonly maxEntries = 200_000,
  ) {}

  caches(kind: string): boolean {
    return this.kinds.has(kind);
  }

  /** The cached document when it is the row's current revision; undefined otherwise. */
  lookup<T>(kind: string, h: RowHeader): StoredResource<T> | undefined {
    const e = this.byKind.get(kind)?.get(h.id);
    if (!e || e.revision !== Number(h.revision) || e.createdAt !== h.created_at || e.updatedAt !== h.updated_at) return undefined;
    return e as StoredResource<T>;
  }

  /** Stores and returns the frozen resource (callers must not keep a mutable copy). */
  remember<T>(kind: string, r: StoredResource<T>): StoredResource<T> {
    if (!this.kinds.has(kind)) return r;
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    if (!m.has(r.id)) {
      if (this.size >= this.maxEntries) this.clear();
      this.size++;
    }
    m.set(r.id, deepFreeze(r) as StoredResource<unknown>);
    return r;
  }

  forget(kind: string, id: string): void {
    const m = this.byKind.get(kind);
    if (m?.delete(id)) this.size--;
  }

  clear(): void {
    for (const m of this.byKind.values()) m.clear();
    this.size = 0;
  }

  get entries(): number {
    return this.size;
  }
}
