/**
 * Volume backups over HTTP on SQLite and (when configured) PostgreSQL: full and incremental backups
 * of bytes written through NBD (qemu-io), restore into the volume and into a new one, create from a
 * backup (3.47), chains and delete rules, snapshots as the source, quotas and limits, project
 * isolation, a corrupt chunk refused at restore, and OpenStack-style 4xx for bad input.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDatabaseFactories, type TestDatabase } from '../../src/store/sql/test-databases.js';
import { startInProcess } from '../support/server.js';
import { call, issueToken, type Reply } from '../support/http.js';

const MV = (v: string) => ({ 'OpenStack-API-Version': `volume ${v}` });
const MiB = 1024 * 1024;

function qemuMissing(): string | undefined {
  if (spawnSync('qemu-io', ['--version']).status === 0 && spawnSync('qemu-img', ['--version']).status === 0) return undefined;
  if (process.env.CI === 'true') throw new Error('CI=true but qemu-io/qemu-img are missing (qemu-utils)');
  return 'qemu-io / qemu-img (qemu-utils) are not installed';
}

/** Async only: a synchronous spawn would block the in-process NBD server it talks to. */
function tool(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

for (const factory of testDatabaseFactories()) {
  describe(`volume backups on ${factory.name}`, { skip: factory.skip ?? qemuMissing() }, () => {
    let ps: Awaited<ReturnType<typeof startInProcess>>;
    let tdb: TestDatabase;
    let admin: string;
    let demo: string;
    let v3: string;

    const req = (method: string, path: string, token: string, body?: unknown, version = '3.67'): Promise<Reply> =>
      call(method, `${v3}${path}`, { token, body, headers: MV(version) });

    async function waitStatus(path: string, key: string, want: string | null, token = admin): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
      let last = '';
      for (let i = 0; i < 400; i++) {
        const r = await req('GET', path, token);
        if (want === null && r.status === 404) return {};
        if (r.status === 200) last = r.body[key].status;
        if (r.status === 200 && last === want) return r.body[key];
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`${path} never reached ${want} (last ${last})`);
    }

    async function newVolume(token: string, body: Record<string, unknown> = {}): Promise<string> {
      const r = await req('POST', '/volumes', token, { volume: { size: 1, ...body } });
      assert.equal(r.status, 202, r.text);
      await waitStatus(`/volumes/${r.body.volume.id}`, 'volume', 'available', token);
      return r.body.volume.id;
    }

    async function newBackup(token: string, body: Record<string, unknown>): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
      const r = await req('POST', '/backups', token, { backup: body });
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(Object.keys(r.body.backup).sort(), ['id', 'links', 'name']);
      return waitStatus(`/backups/${r.body.backup.id}`, 'backup', 'available', token);
    }

    /** Attaches over NBD, runs qemu-io commands, detaches. */
    async function io(volumeId: string, cmds: string[], token = admin): Promise<string> {
      const a = await req('POST', '/attachments', token, { attachment: { volume_uuid: volumeId, instance_uuid: '6f0c1d2e-0000-4000-8000-0000000000b1', connector: { host: 'e2e' } } });
      assert.equal(a.status, 200, a.text);
      try {
        const r = await tool('qemu-io', ['-f', 'raw', ...cmds.flatMap((c) => ['-c', c]), a.body.attachment.connection_info.data.uri]);
        assert.equal(r.code, 0, r.out);
        assert.doesNotMatch(r.out, /Pattern verification failed|failed/i, r.out);
        return r.out;
      } finally {
        assert.equal((await req('DELETE', `/attachments/${a.body.attachment.id}`, token)).status, 200);
      }
    }

    async function compare(a: string, b: string): Promise<{ code: number; out: string }> {
      const x = await req('POST', '/attachments', admin, { attachment: { volume_uuid: a, instance_uuid: '6f0c1d2e-0000-4000-8000-0000000000b2', connector: { host: 'e2e' }, mode: 'ro' } });
      const y = await req('POST', '/attachments', admin, { attachment: { volume_uuid: b, instance_uuid: '6f0c1d2e-0000-4000-8000-0000000000b3', connector: { host: 'e2e' }, mode: 'ro' } });
      try {
        return await tool('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', x.body.attachment.connection_info.data.uri, y.body.attachment.connection_info.data.uri]);
      } finally {
        await req('DELETE', `/attachments/${x.body.attachment.id}`, admin);
        await req('DELETE', `/attachments/${y.body.attachment.id}`, admin);
      }
    }

    before(async () => {
      tdb = await factory.create();
      ps = await startInProcess({ db: factory.name === 'sqlite' ? 'sqlite' : tdb.url });
      admin = (await issueToken(ps.url, 'admin', 'admin-secret', 'admin')).token;
      demo = (await issueToken(ps.url, 'demo', ps.demoPassword, 'demo')).token;
      v3 = `${ps.url}/volume/v3`;
    });
    after(async () => {
      await ps.cleanup();
      await tdb.drop();
    });

    test('full and incremental backups, restore into the volume and a new one, create from a backup: byte for byte', async () => {
      const vol = await newVolume(admin, { name: 'src', metadata: { tier: 'gold' } });
      await io(vol, ['write -P 0xaa 0 1M', 'write -P 0xbb 512M 1M', 'flush']);
      const svc = (await req('GET', '/os-services?binary=cinder-backup', admin)).body.services;
      assert.equal(svc.length, 1);
      assert.equal(svc[0].state, 'up');

      const incrFirst = await req('POST', '/backups', admin, { backup: { volume_id: vol, incremental: true } });
      assert.equal(incrFirst.status, 400, 'an incremental needs a full backup first');
      assert.equal(incrFirst.body.badRequest.message, 'Invalid backup: No backups available to do an incremental backup.');

      const created = await req('POST', '/backups', admin, { backup: { volume_id: vol, name: 'full', description: 'd', container: 'c1', metadata: { k: 'v' } } });
      assert.equal(created.status, 202);
      assert.equal((await req('GET', `/volumes/${vol}`, admin)).body.volume.status, 'backing-up');
      const full = await waitStatus(`/backups/${created.body.backup.id}`, 'backup', 'available');
      await waitStatus(`/volumes/${vol}`, 'volume', 'available');
      assert.equal(full.size, 1);
      assert.equal(full.object_count, 2, 'only the two allocated MiB are copied');
      assert.equal(full.container, 'c1');
      assert.equal(full.is_incremental, false);
      assert.equal(full.has_dependent_backups, false);
      assert.deepEqual(full.metadata, { k: 'v' });
      assert.equal(full['os-backup-project-attr:project_id'] !== undefined, true);
      assert.equal(full.encryption_key_id, null);
      assert.ok(full.data_timestamp && full.created_at && full.user_id);

      // change 64 KiB and zero what was written at 512 MiB, then back up what changed
      await io(vol, ['write -P 0xcc 4M 64k', 'write -z 512M 1M', 'flush']);
      const incr = await newBackup(admin, { volume_id: vol, name: 'incr', incremental: true });
      assert.equal(incr.is_incremental, true);
      assert.equal(incr.object_count, 1, 'the incremental stores only the changed chunk');
      assert.equal((await req('GET', `/backups/${full.id}`, admin)).body.backup.has_dependent_backups, true);

      // a later write, then restore the incremental into the volume: the chain is replayed
      await io(vol, ['write -P 0xdd 0 4k', 'write -P 0xee 700M 64k', 'flush']);
      const restored = await req('POST', `/backups/${incr.id}/restore`, admin, { restore: { volume_id: vol } });
      assert.equal(restored.status, 202, restored.text);
      assert.deepEqual(restored.body.restore, { backup_id: incr.id, volume_id: vol, volume_name: 'src' });
      assert.equal((await req('GET', `/volumes/${vol}`, admin)).body.volume.status, 'restoring-backup');
      assert.equal((await req('GET', `/backups/${incr.id}`, admin)).body.backup.status, 'restoring');
      await waitStatus(`/backups/${incr.id}`, 'backup', 'available');
      await waitStatus(`/volumes/${vol}`, 'volume', 'available');
      await io(vol, ['read -P 0xaa 0 1M', 'read -P 0xcc 4M 64k', 'read -P 0 512M 1M', 'read -P 0 700M 64k']);

      // create a volume from the full backup (3.47); restore the full backup into a new volume
      const fromBackup = await req('POST', '/volumes', admin, { volume: { backup_id: full.id, name: 'from-backup' } });
      assert.equal(fromBackup.status, 202, fromBackup.text);
      const fb = await waitStatus(`/volumes/${fromBackup.body.volume.id}`, 'volume', 'available');
      assert.equal(fb.size, 1);
      await io(fb.id, ['read -P 0xaa 0 1M', 'read -P 0 4M 64k', 'read -P 0xbb 512M 1M']);
      const toNew = await req('POST', `/backups/${full.id}/restore`, admin, { restore: { name: 'restored-new' } });
      assert.equal(toNew.status, 202);
      assert.equal(toNew.body.restore.volume_name, 'restored-new');
      const nv = await waitStatus(`/volumes/${toNew.body.restore.volume_id}`, 'volume', 'available');
      assert.equal(nv.metadata.tier, 'gold', 'the backed-up volume metadata comes back');
      const cmp = await compare(fb.id, nv.id);
      assert.equal(cmp.code, 0, cmp.out);
      const before347 = await req('POST', '/volumes', admin, { volume: { size: 1, backup_id: full.id } }, '3.46');
      assert.equal(before347.status, 202, 'backup_id is ignored before 3.47');

      // a backup of a snapshot: the snapshot is read, the volume keeps its status
      const snap = await req('POST', '/snapshots', admin, { snapshot: { volume_id: vol, name: 's' } });
      await waitStatus(`/snapshots/${snap.body.snapshot.id}`, 'snapshot', 'available');
      await io(vol, ['write -P 0x11 0 1M', 'flush']);
      const fromSnap = await newBackup(admin, { volume_id: vol, snapshot_id: snap.body.snapshot.id, incremental: true });
      assert.equal(fromSnap.snapshot_id, snap.body.snapshot.id);
      await waitStatus(`/snapshots/${snap.body.snapshot.id}`, 'snapshot', 'available');
      const rs = await req('POST', `/backups/${fromSnap.id}/restore`, admin, { restore: {} });
      const rv = await waitStatus(`/volumes/${rs.body.restore.volume_id}`, 'volume', 'available');
      await io(rv.id, ['read -P 0xaa 0 1M', 'read -P 0xcc 4M 64k']);

      // delete rules: not while incrementals build on it; children first
      const refused = await req('DELETE', `/backups/${full.id}`, admin);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.badRequest.message, 'Invalid backup: Incremental backups exist for this backup.');
      assert.equal((await req('DELETE', `/backups/${fromSnap.id}`, admin)).status, 202);
      await waitStatus(`/backups/${fromSnap.id}`, 'backup', null);
      assert.equal((await req('DELETE', `/backups/${incr.id}`, admin)).status, 202);
      await waitStatus(`/backups/${incr.id}`, 'backup', null);
      assert.equal((await req('DELETE', `/backups/${full.id}`, admin)).status, 202);
      await waitStatus(`/backups/${full.id}`, 'backup', null);
      for (const id of [vol, fb.id, nv.id, rv.id, before347.body.volume.id]) {
        await waitStatus(`/volumes/${id}`, 'volume', 'available');
        if (id === vol) await req('DELETE', `/volumes/${id}?cascade=true`, admin);
        else await req('DELETE', `/volumes/${id}`, admin);
      }
      // everything removed: no chunk is left in the repository
      const chunks = readdirSync(join(ps.home, 'backups', 'chunks')).flatMap((d) => readdirSync(join(ps.home, 'backups', 'chunks', d)));
      assert.deepEqual(chunks, []);
    });

    test('in-use volumes need force and go back to in-use; status and size rules; bad input is a 4xx', async () => {
      const vol = await newVolume(admin);
      const a = await req('POST', '/attachments', admin, { attachment: { volume_uuid: vol, instance_uuid: '6f0c1d2e-0000-4000-8000-0000000000c1', connector: { host: 'e2e' } } });
      await req('POST', `/attachments/${a.body.attachment.id}/action`, admin, { 'os-complete': null });
      assert.equal((await req('POST', '/backups', admin, { backup: { volume_id: vol } })).status, 400, 'in-use without force');
      const forced = await newBackup(admin, { volume_id: vol, force: true });
      assert.equal((await waitStatus(`/volumes/${vol}`, 'volume', 'in-use')).status, 'in-use');
      const busy = await req('POST', `/backups/${forced.id}/restore`, admin, { restore: { volume_id: vol } });
      assert.equal(busy.status, 400, 'restore needs an available target');
      await req('DELETE', `/attachments/${a.body.attachment.id}`, admin);

      const big = await newVolume(admin, { size: 2 });
      const bigBackup = await newBackup(admin, { volume_id: big });
      const small = await req('POST', `/backups/${bigBackup.id}/restore`, admin, { restore: { volume_id: vol } });
      assert.equal(small.status, 400);
      assert.match(small.body.badRequest.message, /too small/);
      const tooSmallCreate = await req('POST', '/volumes', admin, { volume: { size: 1, backup_id: bigBackup.id } });
      assert.equal(tooSmallCreate.status, 400);

      const bad: Array<[string, string, unknown, number, string?]> = [
        ['POST', '/backups', { backup: {} }, 400],
        ['POST', '/backups', { nope: {} }, 400],
        ['POST', '/backups', { backup: { volume_id: '00000000-0000-0000-0000-000000000000' } }, 404],
        ['POST', '/backups', { backup: { volume_id: vol, incremental: 'maybe' } }, 400],
        ['POST', '/backups', { backup: { volume_id: vol, name: 5 } }, 400],
        ['POST', '/backups', { backup: { volume_id: vol, metadata: 'x' } }, 400],
        ['POST', '/backups', { backup: { volume_id: vol, availability_zone: 'elsewhere' } }, 400],
        ['POST', '/backups', { backup: { volume_id: vol, snapshot_id: '00000000-0000-0000-0000-000000000000' } }, 404],
        ['GET', '/backups/00000000-0000-0000-0000-000000000000', undefined, 404],
        ['DELETE', '/backups/00000000-0000-0000-0000-000000000000', undefined, 404],
        ['POST', `/backups/${forced.id}/restore`, { restore: { volume_id: 7 } }, 400],
        ['POST', `/backups/${forced.id}/restore`, {}, 400],
        ['POST', `/backups/${forced.id}/restore`, { restore: { volume_id: '00000000-0000-0000-0000-000000000000' } }, 404],
        ['POST', `/backups/${forced.id}/action`, { 'os-reset_status': { status: 'bogus' } }, 400],
        ['POST', `/backups/${forced.id}/action`, { 'os-frobnicate': {} }, 400],
        ['PUT', `/backups/${forced.id}`, { backup: { name: 'x' } }, 404, '3.8'],
        ['PUT', `/backups/${forced.id}`, { backup: {} }, 400],
        ['POST', '/backups/import_record', { 'backup-record': { backup_service: 'x', backup_url: 'y' } }, 400],
        ['POST', '/volumes', { volume: { backup_id: '00000000-0000-0000-0000-000000000000' } }, 404],
      ];
      for (const [method, path, body, status, version] of bad) {
        const r = await req(method, path, admin, body, version);
        assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${r.text}`);
        if (r.status !== 202) assert.ok(r.body && Object.keys(r.body).length === 1, r.text);
      }
      // after volume `vol` is available again: a (temporary) error backup is deletable; reset needs admin
      const upd = await req('PUT', `/backups/${forced.id}`, admin, { backup: { name: 'renamed', description: 'dd', metadata: { a: 'b' } } });
      assert.equal(upd.status, 200);
      assert.equal(upd.body.backup.name, 'renamed');
      assert.deepEqual((await req('GET', `/backups/${forced.id}`, admin)).body.backup.metadata, { a: 'b' });
      assert.equal((await req('POST', `/backups/${forced.id}/action`, admin, { 'os-reset_status': { status: 'error' } })).status, 202);
      assert.equal((await req('GET', `/backups/${forced.id}`, admin)).body.backup.status, 'error');
      assert.equal((await req('POST', `/backups/${forced.id}/action`, admin, { 'os-force_delete': {} })).status, 202);
      await waitStatus(`/backups/${forced.id}`, 'backup', null);
      // a backup outlives its volume (and the driver snapshot it kept goes with the volume)
      assert.equal((await req('DELETE', `/volumes/${big}`, admin)).status, 202);
      await waitStatus(`/volumes/${big}`, 'volume', null);
      const orphan = await req('POST', `/backups/${bigBackup.id}/restore`, admin, { restore: {} });
      assert.equal(orphan.status, 202, orphan.text);
      const ov = await waitStatus(`/volumes/${orphan.body.restore.volume_id}`, 'volume', 'available');
      assert.equal(ov.size, 2);
      await req('DELETE', `/volumes/${ov.id}`, admin);
      await waitStatus(`/backups/${bigBackup.id}`, 'backup', 'available');
      assert.equal((await req('DELETE', `/backups/${bigBackup.id}`, admin)).status, 202);
      await waitStatus(`/backups/${bigBackup.id}`, 'backup', null);
      await waitStatus(`/volumes/${vol}`, 'volume', 'available');
      await req('DELETE', `/volumes/${vol}`, admin);
    });

    test('quotas and limits; project isolation; list filters and paging; export and import of a record', async () => {
      const demoProject = (await call('GET', `${ps.url}/identity/v3/auth/tokens`, { token: admin, headers: { 'x-subject-token': demo } })).body.token.project.id;
      const q = await req('GET', `/os-quota-sets/${demoProject}?usage=true`, admin);
      assert.equal(q.body.quota_set.backups.in_use, 0);
      assert.equal((await req('PUT', `/os-quota-sets/${demoProject}`, admin, { quota_set: { backups: 2, backup_gigabytes: 5 } })).status, 200);
      const vol = await newVolume(demo, { name: 'mine' });
      const b1 = await newBackup(demo, { volume_id: vol, name: 'one' });
      const b2 = await newBackup(demo, { volume_id: vol, name: 'two', incremental: true });
      assert.equal(b2.is_incremental, true);
      assert.equal(b1['os-backup-project-attr:project_id'], undefined, 'the project attribute is for admins');
      const over = await req('POST', '/backups', demo, { backup: { volume_id: vol } });
      assert.equal(over.status, 413);
      assert.ok(over.body.overLimit, over.text);
      const limits = (await req('GET', '/limits', demo)).body.limits.absolute;
      assert.equal(limits.maxTotalBackups, 2);
      assert.equal(limits.totalBackupsUsed, 2);
      assert.equal(limits.totalBackupGigabytesUsed, 2);
      assert.equal(limits.maxTotalBackupGigabytes, 5);
      const usage = (await req('GET', `/os-quota-sets/${demoProject}?usage=true`, admin)).body.quota_set;
      assert.deepEqual([usage.backups.in_use, usage.backup_gigabytes.in_use], [2, 2]);
      assert.equal((await req('PUT', `/os-quota-sets/${demoProject}`, admin, { quota_set: { backups: 1 } })).status, 400, 'below usage');

      // isolation: admin's own backup is invisible to demo; admin sees demo's with all_tenants
      const adminVol = await newVolume(admin);
      const ab = await newBackup(admin, { volume_id: adminVol });
      assert.equal((await req('GET', `/backups/${ab.id}`, demo)).status, 404);
      assert.equal((await req('DELETE', `/backups/${ab.id}`, demo)).status, 404);
      assert.equal((await req('POST', `/backups/${ab.id}/restore`, demo, { restore: {} })).status, 404);
      assert.equal((await req('POST', '/backups', demo, { backup: { volume_id: adminVol } })).status, 404);
      assert.ok(!(await req('GET', '/backups', demo)).body.backups.some((b: { id: string }) => b.id === ab.id));
      assert.equal((await req('POST', `/backups/${b1.id}/action`, demo, { 'os-reset_status': { status: 'error' } })).status, 403);
      const all = await req('GET', '/backups/detail?all_tenants=1', admin);
      assert.ok(all.body.backups.some((b: { id: string }) => b.id === b1.id));
      assert.ok(!(await req('GET', '/backups', admin)).body.backups.some((b: { id: string }) => b.id === b1.id), 'without all_tenants an admin sees its own');
      // an admin backing up demo's volume makes a backup of its own project: demo's incremental chain is apart
      const crossIncr = await req('POST', '/backups', admin, { backup: { volume_id: vol, incremental: true } });
      assert.equal(crossIncr.status, 400, "demo's backups are no parent for admin's incremental");

      // list filters, sorting, paging
      const byName = await req('GET', '/backups/detail?name=one', demo);
      assert.deepEqual(byName.body.backups.map((b: { id: string }) => b.id), [b1.id]);
      const page = await req('GET', '/backups?limit=1&sort=name:asc', demo);
      assert.equal(page.body.backups.length, 1);
      assert.equal(page.body.backups[0].name, 'one');
      assert.deepEqual(Object.keys(page.body.backups[0]).sort(), ['id', 'links', 'name']);
      assert.ok(page.body.backups_links[0].href.includes('marker='));
      const counted = await req('GET', '/backups?with_count=true', demo);
      assert.equal(counted.body.count, 2);

      // export/import (admin): the imported record shares the bytes; deleting it keeps them
      assert.equal((await req('GET', `/backups/${ab.id}/export_record`, demo)).status, 404);
      const exp = await req('GET', `/backups/${ab.id}/export_record`, admin);
      assert.equal(exp.status, 200, exp.text);
      assert.match(exp.body['backup-record'].backup_service, /^cinder\.backup\.drivers\./);
      const rec = JSON.parse(Buffer.from(exp.body['backup-record'].backup_url, 'base64').toString());
      const dup = await req('POST', '/backups/import_record', admin, { 'backup-record': exp.body['backup-record'] });
      assert.equal(dup.status, 400, 'the same id exists');
      rec.id = '11111111-2222-4333-8444-555555555555';
      const imp = await req('POST', '/backups/import_record', admin, { 'backup-record': { backup_service: exp.body['backup-record'].backup_service, backup_url: Buffer.from(JSON.stringify(rec)).toString('base64') } });
      assert.equal(imp.status, 201, imp.text);
      await waitStatus(`/backups/${rec.id}`, 'backup', 'available');
      assert.equal((await req('DELETE', `/backups/${rec.id}`, admin)).status, 202);
      await waitStatus(`/backups/${rec.id}`, 'backup', null);
      const again = await req('POST', `/backups/${ab.id}/restore`, admin, { restore: {} });
      const av = await waitStatus(`/volumes/${again.body.restore.volume_id}`, 'volume', 'available');

      for (const [id, tok] of [[b2.id, demo], [b1.id, demo], [ab.id, admin]] as const) {
        assert.equal((await req('DELETE', `/backups/${id}`, tok)).status, 202);
        await waitStatus(`/backups/${id}`, 'backup', null, tok);
      }
      await req('DELETE', `/os-quota-sets/${demoProject}`, admin);
      await req('DELETE', `/volumes/${vol}`, demo);
      await req('DELETE', `/volumes/${adminVol}`, admin);
      await req('DELETE', `/volumes/${av.id}`, admin);
    });

    test('a corrupt chunk fails the restore before the target is touched: error_restoring and a user message', async () => {
      const vol = await newVolume(admin);
      await io(vol, ['write -P 0x5a 0 1M', 'flush']);
      const b = await newBackup(admin, { volume_id: vol });
      const target = await newVolume(admin);
      await io(target, ['write -P 0x77 0 64k', 'flush']);
      const dir = join(ps.home, 'backups', 'chunks');
      for (const d of readdirSync(dir)) {
        for (const f of readdirSync(join(dir, d))) {
          const p = join(dir, d, f);
          const bytes = readFileSync(p);
          bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
          writeFileSync(p, bytes);
        }
      }
      const r = await req('POST', `/backups/${b.id}/restore`, admin, { restore: { volume_id: target } });
      assert.equal(r.status, 202);
      await waitStatus(`/volumes/${target}`, 'volume', 'error_restoring');
      await waitStatus(`/backups/${b.id}`, 'backup', 'available');
      const msgs = (await req('GET', '/messages', admin)).body.messages.filter((m: { resource_uuid: string }) => m.resource_uuid === target);
      assert.equal(msgs.length, 1);
      assert.match(msgs[0].user_message, /corrupt/);
      assert.equal((await req('POST', `/volumes/${target}/action`, admin, { 'os-reset_status': { status: 'available' } })).status, 202);
      await io(target, ['read -P 0x77 0 64k'], admin);
      assert.equal((await req('DELETE', `/backups/${b.id}`, admin)).status, 202);
      await waitStatus(`/backups/${b.id}`, 'backup', null);
      await req('DELETE', `/volumes/${vol}`, admin);
      await req('DELETE', `/volumes/${target}`, admin);
    });
  });
}
