/**
 * The ordered list of migrations, applied at start. Names sort in order; never edit a released one,
 * add a new file instead.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-identity.js';
import * as m002 from './002-resources.js';

const all: Record<string, Migration> = {
  '001-identity': m001,
  '002-resources': m002,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => all,
};
