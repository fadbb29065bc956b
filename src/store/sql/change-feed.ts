/**
 * The global generation counter and the change feed. One row holds the generation; every recorded
 * change bumps it inside a transaction, so generations are gap-free and totally ordered on both engines.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ChangeFeed } from '../../core/ports/identity-store.js';
import type { Database } from './schema.js';

export class SqlChangeFeed implements ChangeFeed {
  constructor(private readonly db: Kysely<Database>) {}

  recordChange(kind: string, id: string, op: 'create' | 'update' | 'delete'): Promise<number> {
    return this.db.transaction().execute((trx) => recordChangeIn(trx, kind, id, op));
  }

  async currentGeneration(): Promise<number> {
    const r = await this.db.selectFrom('generation').select('value').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(r.value);
  }

  async changesSince(generation: number, limit = 1000) {
    const rows = await this.db
      .selectFrom('changes')
      .selectAll()
      .where('generation', '>', generation)
      .orderBy('generation')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ generation: Number(r.generation), kind: r.kind, id: r.resource_id, op: r.op }));
  }
}

/** For services that write their desired state in the same transaction as the change record. */
export async function recordChangeIn(
  trx: Transaction<Database>,
  kind: string,
  id: string,
  op: 'create' | 'update' | 'delete',
): Promise<number> {
  // UPDATE … SET value = value + 1 takes the row lock on PostgreSQL and the write lock on SQLite,
  // so concurrent writers serialize here and each gets its own generation.
  const row = await trx
    .updateTable('generation')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('id', '=', 1)
    .returning('value')
    .executeTakeFirstOrThrow();
  const generation = Number(row.value);
  await trx
    .insertInto('changes')
    .values({ generation, kind, resource_id: id, op, at: new Date().toISOString() })
    .execute();
  return generation;
}
