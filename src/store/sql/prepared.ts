/**
 * Hot statements compiled once per database instead of built and compiled by Kysely on every call:
 * the single-row reads and writes every API request runs a dozen of (a port create, a token check).
 * Building a query costs tens of microseconds and a few kilobytes of short-lived objects each time;
 * the SQL text never changes, only the values. Store layer: imports kysely and the schema only.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** A statement's SQL and, for each of its parameters in SQL order, which argument it takes. */
export interface Prepared {
  readonly sql: string;
  readonly order: readonly number[];
}

const SENTINEL = '\u0000arg';

/**
 * Compiles `build` once: it receives placeholder values (arg(0), arg(1), …) where the call's
 * arguments go, and the compiled parameters tell where each one landed (whatever order the dialect
 * writes them in). A statement whose parameters are not all placeholders is refused.
 */
export function prepare(db: Kysely<Database>, build: (db: Kysely<Database>, arg: (i: number) => never) => Compilable): Prepared {
  const compiled = build(db, (i) => `${SENTINEL}${i}` as never).compile();
  const order = compiled.parameters.map((p) => {
    if (typeof p !== 'string' || !p.startsWith(SENTINEL)) throw new Error(`prepare: parameter ${String(p)} is not a placeholder in ${compiled.sql}`);
    return Number(p.slice(SENTINEL.length));
  });
  return { sql: compiled.sql, order };
}

/** Runs a prepared statement with these arguments, on the database or inside a transaction. */
export function run<R>(db: Db, p: Prepared, args: readonly unknown[]): Promise<QueryResult<R>> {
  return db.executeQuery<R>(CompiledQuery.raw(p.sql, p.order.map((i) => args[i])));
}

/** Prepared statements of one kind of store, made on first use per root database. */
export class StatementSet<K extends string> {
  private readonly made = new Map<K, Prepared>();

  constructor(
    private readonly root: Kysely<Database>,
    private readonly builders: Record<K, (db: Kysely<Database>, arg: (i: number) => never) => Compilable>,
  ) {}

  get(name: K): Prepared {
    let p = this.made.get(name);
    if (!p) this.made.set(name, (p = prepare(this.root, this.builders[name])));
    return p;
  }
}
