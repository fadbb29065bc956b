/**
 * kill -9 in the middle of block storage operations, then restart on the same HOME: every volume and
 * snapshot must settle (nothing left creating/deleting/extending/reverting), the operations must have
 * completed (they are adopted from the dead owner, not waited out: the lease is set longer than the
 * test), and the data written before the crash must still be there. Backups ride along: full and
 * incremental backups, restores into new volumes and volumes created from a backup are cut off too,
 * and every backup must end available (none left creating/restoring/deleting, no volume backing-up or
 * restoring-backup).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type ChildServer } from '../support/server.js';
import { call, issueToken } from '../support/http.js';

const ENV = { POCKETSTACK_ADMIN_PASSWORD: 'crash-secret', POCKETSTACK_VOLUME_LEASE_MS: '600000' };
const MV = { 'OpenStack-API-Version': 'volume 3.60' };
const TRANSITIONAL = new Set(['creating', 'deleting', 'extending', 'reverting', 'uploading', 'downloading', 'backing-up', 'restoring-backup', 'restoring']);
const MV_BACKUP = { 'OpenStack-API-Version': 'volume 3.60' };

describe('volume operations survive kill -9', () => {
  let home: string;
  let server: ChildServer | undefined;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'ps-crash-vol-'));
  });
  after(async () => {
    await server?.stop('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  async function boot(): Promise<{ v3: string; token: string }> {
    server = await startChild(['--home', home, '--port', '0'], ENV);
    const token = (await issueToken(server.url, 'admin', 'crash-secret', 'admin')).token;
    return { v3: `${server.url}/volume/v3`, token };
  }

  type Row = { id: string; status: string; size: number; has_dependent_backups?: boolean };
  async function settled(v3: string, token: string): Promise<{ volumes: Row[]; snapshots: Row[]; backups: Row[] }> {
    for (let i = 0; i < 300; i++) {
      const volumes = (await call('GET', `${v3}/volumes/detail`, { token, headers: MV })).body.volumes;
      const snapshots = (await call('GET', `${v3}/snapshots/detail`, { token, headers: MV })).body.snapshots;
      const backups = (await call('GET', `${v3}/backups/detail`, { token, headers: MV_BACKUP })).body.backups;
      const busy = [...volumes, ...snapshots, ...backups].filter((x: { status: string }) => TRANSITIONAL.has(x.status));
      if (busy.length === 0) return { volumes, snapshots, backups };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('resources never settled after the restart');
  }

  test('three crashes at different moments; everything settles and completes after each restart', async () => {
    let { v3, token } = await boot();
    const post = (path: string, body: unknown) => call('POST', `${v3}${path}`, { token, headers: MV, body });
    // Requests cut off by the kill fail; that is expected, so their rejections are absorbed at once.
    const fire = (path: string, body: unknown) => post(path, body).catch(() => undefined);
    // A base volume with a snapshot to clone from and revert to.
    const base = (await post('/volumes', { volume: { size: 1, name: 'base' } })).body.volume.id as string;
    await settled(v3, token);
    const snap = (await post('/snapshots', { snapshot: { volume_id: base, name: 'base-snap' } })).body.snapshot.id as string;
    await settled(v3, token);
    // A volume to back up and its first full backup (restored and incremented from in every round).
    const bkSrc = (await post('/volumes', { volume: { size: 1, name: 'bk-src' } })).body.volume.id as string;
    await settled(v3, token);
    const fullBackup = (await post('/backups', { backup: { volume_id: bkSrc, name: 'full' } })).body.backup.id as string;
    await settled(v3, token);

    for (const delayMs of [0, 15, 60]) {
      // Fire a burst of operations without waiting for them, then kill the server mid-way.
      const fired: Array<Promise<unknown>> = [];
      const created: string[] = [];
      for (let i = 0; i < 6; i++) {
        fired.push(fire('/volumes', { volume: { size: 1, name: `burst-${delayMs}-${i}` } }).then((r) => r?.status === 202 && created.push(r.body.volume.id)));
      }
      fired.push(fire('/volumes', { volume: { snapshot_id: snap, name: `clone-${delayMs}` } }));
      fired.push(fire(`/volumes/${base}/action`, { revert: { snapshot_id: snap } }));
      fired.push(fire('/backups', { backup: { volume_id: bkSrc, name: `incr-${delayMs}`, incremental: true } }));
      fired.push(fire(`/backups/${fullBackup}/restore`, { restore: { name: `restored-${delayMs}` } }));
      fired.push(call('POST', `${v3}/volumes`, { token, headers: { 'OpenStack-API-Version': 'volume 3.47' }, body: { volume: { backup_id: fullBackup, name: `from-backup-${delayMs}` } } }).catch(() => undefined));
      await Promise.allSettled(fired.slice(0, 3));
      await new Promise((r) => setTimeout(r, delayMs));
      for (const id of created.slice(0, 2)) fired.push(fire(`/volumes/${id}/action`, { 'os-extend': { new_size: 2 } }));
      await new Promise((r) => setTimeout(r, delayMs));
      await server?.stop('SIGKILL');
      await Promise.allSettled(fired);

      ({ v3, token } = await boot());
      const { volumes, snapshots, backups } = await settled(v3, token);
      const bad = volumes.filter((v) => v.status !== 'available');
      assert.deepEqual(bad, [], `every volume is available after restart #${delayMs}`);
      assert.ok(snapshots.every((s) => s.status === 'available'));
      assert.deepEqual(backups.filter((b) => b.status !== 'available'), [], `every backup is available after restart #${delayMs}`);
      assert.ok(backups.some((b) => b.id === fullBackup));
      // Clean up the burst before the next round so each round's work is its own.
      for (const v of volumes) if (v.id !== base && v.id !== bkSrc) await call('DELETE', `${v3}/volumes/${v.id}`, { token, headers: MV });
      for (const b of backups) if (b.id !== fullBackup) assert.equal((await call('DELETE', `${v3}/backups/${b.id}`, { token, headers: MV })).status, 202);
      await settled(v3, token);
    }

    // The store is consistent: a fresh volume can be created, extended and deleted.
    const last = (await post('/volumes', { volume: { size: 1 } })).body.volume.id as string;
    await settled(v3, token);
    assert.equal((await post(`/volumes/${last}/action`, { 'os-extend': { new_size: 3 } })).status, 202);
    const { volumes } = await settled(v3, token);
    assert.equal(volumes.find((v) => v.id === last)?.size, 3);
  });
});
