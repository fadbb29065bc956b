/** Typed documents for network, volume and compute resources, and the unique-claims table. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resources')
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('id', 'varchar(64)', (c) => c.notNull())
    .addColumn('project_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('parent_id', 'varchar(64)')
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resources_pk', ['kind', 'id'])
    .execute();
  await db.schema.createIndex('resources_project').on('resources').columns(['kind', 'project_id']).execute();
  await db.schema.createIndex('resources_parent').on('resources').columns(['kind', 'parent_id']).execute();
  await db.schema
    .createTable('claims')
    .addColumn('namespace', 'varchar(128)', (c) => c.notNull())
    .addColumn('key', 'varchar(128)', (c) => c.notNull())
    .addColumn('owner', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('claims_pk', ['namespace', 'key'])
    .execute();
  await db.schema.createIndex('claims_owner').on('claims').columns(['owner', 'namespace']).execute();
}
