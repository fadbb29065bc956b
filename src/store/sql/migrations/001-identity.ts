/** Identity tables, the generation counter and the change feed. Portable across SQLite and PostgreSQL. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('domains')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('projects')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('domain_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_domain', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('parent_id', 'varchar(64)')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addUniqueConstraint('projects_domain_name', ['domain_id', 'name'])
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('domain_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('email', 'varchar(255)')
    .addColumn('description', 'text')
    .addColumn('default_project_id', 'varchar(64)')
    .addColumn('password_hash', 'text')
    .addColumn('password_changed_at', 'varchar(40)')
    .addUniqueConstraint('users_domain_name', ['domain_id', 'name'])
    .execute();
  await db.schema
    .createTable('roles')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('domain_id', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addUniqueConstraint('roles_name_domain', ['name', 'domain_id'])
    .execute();
  await db.schema
    .createTable('role_assignments')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('role_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('target_id', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_assignments_pk', ['user_id', 'role_id', 'target_type', 'target_id'])
    .execute();
  await db.schema.createIndex('role_assignments_target').on('role_assignments').columns(['target_type', 'target_id']).execute();
  await db.schema
    .createTable('regions')
    .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('parent_region_id', 'varchar(255)')
    .execute();
  await db.schema
    .createTable('services')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('endpoints')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('service_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('interface', 'varchar(16)', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('region_id', 'varchar(255)')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('revoked_tokens')
    .addColumn('audit_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('user_revocations')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('revoked_before', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('generation')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('generation' as never).values({ id: 1, value: 0 } as never).execute();
  await db.schema
    .createTable('changes')
    .addColumn('generation', 'bigint', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(64)', (c) => c.notNull())
    .addColumn('resource_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('op', 'varchar(16)', (c) => c.notNull())
    .addColumn('at', 'varchar(40)', (c) => c.notNull())
    .execute();
}
