import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { openDatabase, type SqlDatabase } from './database.js';
import { prepare, run } from './prepared.js';

let sdb: SqlDatabase;
before(async () => {
  sdb = await openDatabase(':memory:');
});
after(async () => {
  await sdb.close();
});

test('a prepared statement takes its arguments by index, whatever order the SQL names them in', async () => {
  const insert = prepare(sdb.db, (db, a) => db.insertInto('claims').values({ owner: a(2), key: a(1), namespace: a(0) }));
  const find = prepare(sdb.db, (db, a) => db.selectFrom('claims').select(['namespace', 'key', 'owner']).where('owner', '=', a(1)).where('namespace', '=', a(0)));
  assert.equal(insert.order.length, 3);
  await run(sdb.db, insert, ['ns', 'k1', 'o1']);
  await run(sdb.db, insert, ['ns', 'k2', 'o2']);
  const rows = (await run<{ namespace: string; key: string; owner: string }>(sdb.db, find, ['ns', 'o2'])).rows;
  assert.deepEqual(rows, [{ namespace: 'ns', key: 'k2', owner: 'o2' }]);
  // The same statement runs inside a transaction, on its connection.
  await sdb.db.transaction().execute(async (trx) => {
    await run(trx, insert, ['ns', 'k3', 'o3']);
    assert.equal((await run(trx, find, ['ns', 'o3'])).rows.length, 1);
  });
});

test('a statement with a value that is not a placeholder is refused', () => {
  assert.throws(() => prepare(sdb.db, (db, a) => db.selectFrom('claims').selectAll().where('namespace', '=', a(0)).where('key', '=', 'fixed')), /not a placeholder/);
});
