/**
 * Opens the SQL store on SQLite (better-sqlite3, the default: a file in HOME) or PostgreSQL (pg), and
 * applies migrations. The store layer may import core/model and core/ports, never api or drivers.
 */
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface SqlDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/** `postgres://…` / `postgresql://…` select PostgreSQL; anything else is a SQLite file path (or `:memory:`). */
export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

export async function openDatabase(url: string): Promise<SqlDatabase> {
  const dialect = dialectOf(url);
  const db = dialect === 'postgres' ? await openPostgres(url) : openSqlite(url.replace(/^sqlite:(\/\/)?/, ''));
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return { db, dialect, close: () => db.destroy() };
}

function openSqlite(path: string): Kysely<Database> {
  const conn = new SQLite(path);
  // WAL + NORMAL: a committed transaction survives a crash of the process (kill -9); see docs/architecture.md.
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
}

async function openPostgres(url: string): Promise<Kysely<Database>> {
  // Loaded only when asked for: most users never start PostgreSQL, and start-up time matters.
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // bigint columns hold generations and epoch milliseconds: safe as JS numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection that the server closes (restart, failover, DROP … FORCE) emits 'error';
  // unheard, that would crash the process. The pool drops the client; the next query reconnects or
  // reports the failure to its caller.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** True when a driver error is a unique / primary key violation, on either engine. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string } | null;
  if (!err || typeof err !== 'object') return false;
  return err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Used by health checks. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
