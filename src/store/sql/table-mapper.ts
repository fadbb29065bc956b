/**
 * A small generic mapper between one table and one entity type: the CRUD every simple identity table
 * shares, written once. Unique violations become Conflict, so no driver error escapes the store.
 */
import type { Kysely } from 'kysely';
import { Conflict } from '../../core/errors.js';
import { isUniqueViolation } from './database.js';
import { type Prepared, prepare, run } from './prepared.js';
import type { Database } from './schema.js';

export interface TableMapper<E> {
  get(id: string): Promise<E | undefined>;
  list(): Promise<E[]>;
  findBy(where: Record<string, unknown>): Promise<E | undefined>;
  insert(e: E): Promise<void>;
  update(e: E): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface MapperSpec<E, R> {
  table: keyof Database;
  /** Name used in the Conflict message, e.g. "Project". */
  label: string;
  toRow(e: E): R;
  fromRow(r: R): E;
  idOf(e: E): string;
}

export function tableMapper<E, R extends { id: string }>(db: Kysely<Database>, spec: MapperSpec<E, R>): TableMapper<E> {
  // Kysely's types cannot follow a table name chosen at run time; the spec keeps row and entity honest.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const q = db as unknown as Kysely<any>;
  const t = spec.table as string;
  // Read by id on every token check: compiled once (prepared.ts).
  let byId: Prepared | undefined;
  const conflict = (e: unknown, what: string): never => {
    if (isUniqueViolation(e)) throw new Conflict(`${spec.label} ${what} already exists.`, 'Conflict');
    throw e;
  };
  return {
    async get(id) {
      byId ??= prepare(db, (d, a) => (d as unknown as Kysely<any>).selectFrom(t).selectAll().where('id', '=', a(0)));
      const row = (await run(db, byId, [id])).rows[0];
      return row ? spec.fromRow(row as R) : undefined;
    },
    async list() {
      const rows = await q.selectFrom(t).selectAll().orderBy('id').execute();
      return rows.map((r) => spec.fromRow(r as R));
    },
    async findBy(where) {
      let s = q.selectFrom(t).selectAll();
      for (const [k, v] of Object.entries(where)) s = s.where(k, '=', v);
      const row = await s.executeTakeFirst();
      return row ? spec.fromRow(row as R) : undefined;
    },
    async insert(e) {
      try {
        await q.insertInto(t).values(spec.toRow(e)).execute();
      } catch (err) {
        conflict(err, 'with these attributes');
      }
    },
    async update(e) {
      const { id, ...rest } = spec.toRow(e);
      try {
        await q.updateTable(t).set(rest).where('id', '=', id).execute();
      } catch (err) {
        conflict(err, 'with these attributes');
      }
    },
    async delete(id) {
      const r = await q.deleteFrom(t).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export const toBool = (n: number | boolean): boolean => n === 1 || n === true;
export const fromBool = (b: boolean): number => (b ? 1 : 0);
