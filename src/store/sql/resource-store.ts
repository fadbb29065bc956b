/**
 * ResourceStore over SQL: JSON documents keyed by (kind, id) with project and parent columns for
 * scoped lookups, a revision for compare-and-swap, and a claims table whose primary key makes address,
 * MAC and segment allocation race-free on both engines.
 */
import type { Kysely, Transaction } from 'kysely';
import { Conflict, NotFound, PreconditionFailed } from '../../core/errors.js';
import type { ListWhere, NewResource, ResourceStore, ResourceTx, StoredResource } from '../../core/ports/resource-store.js';
import { recordChangeIn } from './change-feed.js';
import { DocumentCache, type RowHeader } from './document-cache.js';
import { isUniqueViolation, type Dialect } from './database.js';
import { StatementSet, run } from './prepared.js';
import type { Database, ResourceRow } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The statements every request runs, compiled once (see prepared.ts); argument order in comments. */
const STATEMENTS = {
  /** kind, id */
  get: (db: Kysely<Database>, a: (i: number) => never) => db.selectFrom('resources').selectAll().where('kind', '=', a(0)).where('id', '=', a(1)),
  getForUpdate: (db: Kysely<Database>, a: (i: number) => never) =>
    db.selectFrom('resources').selectAll().where('kind', '=', a(0)).where('id', '=', a(1)).forUpdate(),
  /** kind, project */
  countInProject: (db: Kysely<Database>, a: (i: number) => never) =>
    db.selectFrom('resources').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', a(0)).where('project_id', '=', a(1)),
  /** the row's columns in ResourceRow order */
  insert: (db: Kysely<Database>, a: (i: number) => never) =>
    db.insertInto('resources').values({ kind: a(0), id: a(1), project_id: a(2), parent_id: a(3), revision: a(4), created_at: a(5), updated_at: a(6), data: a(7) }),
  /** data, revision, updated_at, parent_id, project_id; then kind, id, expected revision */
  update: (db: Kysely<Database>, a: (i: number) => never) =>
    db
      .updateTable('resources')
      .set({ data: a(0), revision: a(1), updated_at: a(2), parent_id: a(3), project_id: a(4) })
      .where('kind', '=', a(5))
      .where('id', '=', a(6))
      .where('revision', '=', a(7)),
  /** kind, id */
  delete: (db: Kysely<Database>, a: (i: number) => never) => db.deleteFrom('resources').where('kind', '=', a(0)).where('id', '=', a(1)),
  /** namespace, key, owner */
  claim: (db: Kysely<Database>, a: (i: number) => never) =>
    db.insertInto('claims').values({ namespace: a(0), key: a(1), owner: a(2) }).onConflict((oc) => oc.columns(['namespace', 'key']).doNothing()),
  /** namespace, key */
  release: (db: Kysely<Database>, a: (i: number) => never) => db.deleteFrom('claims').where('namespace', '=', a(0)).where('key', '=', a(1)),
};
type Statements = StatementSet<keyof typeof STATEMENTS>;
const affected = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);

function fromRow<T>(r: ResourceRow): StoredResource<T> {
  return {
    id: r.id,
    projectId: r.project_id,
    parentId: r.parent_id,
    revision: Number(r.revision),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    data: JSON.parse(r.data) as T,
  };
}

/** Timestamps as OpenStack shows them: ISO 8601 to the second, UTC. */
const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Documents fetched per `id IN (...)` query when filling the cache (well under both engines' limits). */
const FILL_CHUNK = 500;

class SqlResourceTx implements ResourceTx {
  constructor(
    protected readonly db: Db,
    protected readonly dialect: Dialect,
    private readonly inTransaction: boolean,
    /** Shared with the root store: transactions only drop entries, never fill them (they may roll back). */
    protected readonly cache: DocumentCache | null,
    protected readonly statements: Statements,
  ) {}

  async get<T>(kind: string, id: string): Promise<StoredResource<T> | undefined> {
    const r = (await run<ResourceRow>(this.db, this.statements.get('get'), [kind, id])).rows[0];
    return r ? fromRow<T>(r) : undefined;
  }

  async getForUpdate<T>(kind: string, id: string): Promise<StoredResource<T> | undefined> {
    // SQLite serializes writers already (and has no FOR UPDATE); PostgreSQL needs the row lock.
    const name = this.dialect === 'postgres' && this.inTransaction ? 'getForUpdate' : 'get';
    const r = (await run<ResourceRow>(this.db, this.statements.get(name), [kind, id])).rows[0];
    return r ? fromRow<T>(r) : undefined;
  }

  async list<T>(kind: string, where: ListWhere = {}): Promise<StoredResource<T>[]> {
    if (where.ids && where.ids.length === 0) return [];
    if (this.cache && !this.inTransaction && this.cache.caches(kind)) return this.listCached<T>(kind, where, this.cache);
    let q = this.db.selectFrom('resources').selectAll().where('kind', '=', kind);
    if (where.projectId !== undefined) q = q.where('project_id', '=', where.projectId);
    if (where.parentId !== undefined) q = q.where('parent_id', '=', where.parentId);
    if (where.ids) q = q.where('id', 'in', [...where.ids]);
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => fromRow<T>(r));
  }

  /**
   * Reads the headers of the matching rows (project and parent are part of the document's revision:
   * changing them is an update), then the documents of those the cache does not hold at
   * their current revision. Same order and same result as the plain read.
   */
  private async listCached<T>(kind: string, where: ListWhere, cache: DocumentCache): Promise<StoredResource<T>[]> {
    let q = this.db.selectFrom('resources').select(['id', 'revision', 'created_at', 'updated_at']).where('kind', '=', kind);
    if (where.projectId !== undefined) q = q.where('project_id', '=', where.projectId);
    if (where.parentId !== undefined) q = q.where('parent_id', '=', where.parentId);
    if (where.ids) q = q.where('id', 'in', [...where.ids]);
    const heads = await q.orderBy('created_at').orderBy('id').execute();
    const out = new Array<StoredResource<T>>(heads.length);
    const missing = new Map<string, number>();
    for (let i = 0; i < heads.length; i++) {
      const hit = cache.lookup<T>(kind, heads[i] as RowHeader);
      if (hit) out[i] = hit;
      else missing.set(heads[i]!.id, i);
    }
    const ids = [...missing.keys()];
    for (let at = 0; at < ids.length; at += FILL_CHUNK) {
      const rows = await this.db.selectFrom('resources').selectAll().where('kind', '=', kind).where('id', 'in', ids.slice(at, at + FILL_CHUNK)).execute();
      for (const r of rows) {
        const i = missing.get(r.id)!;
        const fresh = fromRow<T>(r);
        // Written between the two reads: answer with the newer row, as a plain read a moment later would.
        out[i] = cache.remember(kind, fresh);
        missing.delete(r.id);
      }
    }
    // Deleted between the two reads: leave it out, as a plain read a moment later would.
    return missing.size ? out.filter((r) => r !== undefined) : out;
  }

  async count(kind: string, where: ListWhere = {}): Promise<number> {
    if (where.projectId !== undefined && where.parentId === undefined) {
      const r = await run<{ n: number | string }>(this.db, this.statements.get('countInProject'), [kind, where.projectId]);
      return Number(r.rows[0]!.n);
    }
    let q = this.db.selectFrom('resources').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', kind);
    if (where.projectId !== undefined) q = q.where('project_id', '=', where.projectId);
    if (where.parentId !== undefined) q = q.where('parent_id', '=', where.parentId);
    const r = await q.executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async insert<T>(kind: string, n: NewResource<T>): Promise<StoredResource<T>> {
    const now = nowIso();
    const row: ResourceRow = {
      kind,
      id: n.id,
      project_id: n.projectId,
      parent_id: n.parentId ?? null,
      revision: 1,
      created_at: now,
      updated_at: now,
      data: JSON.stringify(n.data),
    };
    try {
      this.cache?.forget(kind, n.id);
      await run(this.db, this.statements.get('insert'), [row.kind, row.id, row.project_id, row.parent_id, row.revision, row.created_at, row.updated_at, row.data]);
    } catch (e) {
      if (isUniqueViolation(e)) throw new Conflict(`A ${kind} with id ${n.id} already exists.`, 'Conflict');
      throw e;
    }
    return fromRow<T>(row);
  }

  async update<T>(kind: string, id: string, data: T, opts: { expectRevision?: number; parentId?: string | null; projectId?: string } = {}): Promise<StoredResource<T>> {
    const cur = await this.getForUpdate<T>(kind, id);
    if (!cur) throw new NotFound(`${kind} ${id} could not be found.`, 'NotFound');
    if (opts.expectRevision !== undefined && cur.revision !== opts.expectRevision) {
      throw new PreconditionFailed(`Revision ${opts.expectRevision} does not match the current revision ${cur.revision} of ${kind} ${id}.`, 'RevisionNumberConstraintFailed');
    }
    const updatedAt = nowIso();
    this.cache?.forget(kind, id);
    const parentId = opts.parentId !== undefined ? opts.parentId : cur.parentId;
    const projectId = opts.projectId ?? cur.projectId;
    // The revision in the WHERE clause is the compare-and-swap: a concurrent writer that got here first wins.
    const r = await run(this.db, this.statements.get('update'), [JSON.stringify(data), cur.revision + 1, updatedAt, parentId, projectId, kind, id, cur.revision]);
    if (affected(r) !== 1) {
      throw new PreconditionFailed(`${kind} ${id} was changed concurrently; retry.`, 'RevisionNumberConstraintFailed');
    }
    return { ...cur, data, parentId, projectId, revision: cur.revision + 1, updatedAt };
  }

  async delete(kind: string, id: string): Promise<boolean> {
    this.cache?.forget(kind, id);
    return affected(await run(this.db, this.statements.get('delete'), [kind, id])) > 0;
  }

  async claim(namespace: string, key: string, owner: string): Promise<boolean> {
    return affected(await run(this.db, this.statements.get('claim'), [namespace, key, owner])) === 1;
  }

  async release(namespace: string, key: string): Promise<void> {
    await run(this.db, this.statements.get('release'), [namespace, key]);
  }

  async releaseOwner(namespacePrefix: string, owner: string): Promise<void> {
    const held = await this.claimsOf(namespacePrefix, owner);
    for (const c of held) await this.db.deleteFrom('claims').where('namespace', '=', c.namespace).where('key', '=', c.key).where('owner', '=', owner).execute();
  }

  async listClaims(namespace: string): Promise<Array<{ key: string; owner: string }>> {
    return this.db.selectFrom('claims').select(['key', 'owner']).where('namespace', '=', namespace).execute();
  }

  async claimsOf(namespacePrefix: string, owner: string): Promise<Array<{ namespace: string; key: string }>> {
    // An owner holds few claims: filter the prefix here rather than with LIKE, whose escaping differs by engine.
    const rows = await this.db.selectFrom('claims').select(['namespace', 'key']).where('owner', '=', owner).orderBy('namespace').orderBy('key').execute();
    return rows.filter((r) => r.namespace.startsWith(namespacePrefix));
  }

  async recordChange(kind: string, id: string, op: 'create' | 'update' | 'delete'): Promise<number> {
    if (this.inTransaction) return recordChangeIn(this.db as Transaction<Database>, kind, id, op);
    return this.db.transaction().execute((trx) => recordChangeIn(trx, kind, id, op));
  }
}

export class SqlResourceStore extends SqlResourceTx implements ResourceStore {
  constructor(
    private readonly root: Kysely<Database>,
    dialect: Dialect,
    /** Pass null to read every document from the database each time. */
    cache: DocumentCache | null = new DocumentCache(),
  ) {
    super(root, dialect, false, cache, new StatementSet(root, STATEMENTS));
  }

  transaction<T>(fn: (tx: ResourceTx) => Promise<T>): Promise<T> {
    return this.root.transaction().execute((trx) => fn(new SqlResourceTx(trx, this.dialect, true, this.cache, this.statements)));
  }

  /** Documents held by the per-process cache (for tests and diagnostics). */
  get cachedDocuments(): number {
    return this.cache?.entries ?? 0;
  }
}
