/**
 * Test support: the databases every store-backed suite runs against. SQLite always (a temp file);
 * PostgreSQL when POCKETSTACK_TEST_PG names an admin URL (CI sets it, and requires it), each run in a
 * fresh database that is dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseFactory {
  name: 'sqlite' | 'postgres';
  /** Why this engine is skipped, or undefined when it runs. */
  skip?: string;
  create(): Promise<TestDatabase>;
}

export function testDatabaseFactories(): TestDatabaseFactory[] {
  const pgAdmin = process.env.POCKETSTACK_TEST_PG;
  if (!pgAdmin && process.env.CI === 'true') {
    throw new Error('CI=true but POCKETSTACK_TEST_PG is not set: .ci/run must start PostgreSQL and export it');
  }
  return [
    {
      name: 'sqlite',
      async create() {
        const dir = mkdtempSync(join(tmpdir(), 'ps-sqlite-'));
        return { name: 'sqlite', url: join(dir, 'state.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: 'postgres',
      skip: pgAdmin ? undefined : 'POCKETSTACK_TEST_PG is not set (an admin postgres:// URL)',
      async create() {
        const dbName = `ps_test_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: pgAdmin });
        await admin.connect();
        try {
          await admin.query(`CREATE DATABASE ${dbName}`);
        } finally {
          await admin.end();
        }
        const url = new URL(pgAdmin as string);
        url.pathname = `/${dbName}`;
        return {
          name: 'postgres',
          url: url.toString(),
          async drop() {
            const c = new pg.Client({ connectionString: pgAdmin });
            await c.connect();
            try {
              // Closed pools' backends may take a moment to exit; only force the drop if they linger.
              for (let i = 0; ; i++) {
                try {
                  await c.query(`DROP DATABASE IF EXISTS ${dbName}${i < 20 ? '' : ' WITH (FORCE)'}`);
                  break;
                } catch (e) {
                  if (i >= 20) throw e;
                  await new Promise((r) => setTimeout(r, 50));
                }
              }
            } finally {
              await c.end();
            }
          },
        };
      },
    },
  ];
}
