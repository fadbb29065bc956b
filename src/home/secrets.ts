/**
 * Secrets kept in HOME (mode 0600): the admin and demo passwords and the token signing key, generated
 * once. POCKETSTACK_ADMIN_PASSWORD overrides the admin password; a change is noticed by comparing
 * with the kept copy, so no slow hash runs on an ordinary start.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Secrets {
  adminPassword: string;
  demoPassword: string;
  tokenKey: Buffer;
  /** The admin password differs from the one applied last time. */
  adminPasswordChanged: boolean;
  /** This start made the secrets (a new HOME). */
  created: boolean;
}

interface Stored {
  adminPassword: string;
  demoPassword: string;
  tokenKey: string;
}

const newPassword = () => randomBytes(15).toString('base64url');

export function loadSecrets(home: string, adminFromEnv: string | undefined): Secrets {
  const path = join(home, 'secrets.json');
  let stored: Stored | null = null;
  if (existsSync(path)) stored = JSON.parse(readFileSync(path, 'utf8')) as Stored;
  const next: Stored = {
    adminPassword: adminFromEnv ?? stored?.adminPassword ?? newPassword(),
    demoPassword: stored?.demoPassword ?? newPassword(),
    tokenKey: stored?.tokenKey ?? randomBytes(32).toString('base64'),
  };
  const changed = stored !== null && stored.adminPassword !== next.adminPassword;
  if (!stored || changed) {
    writeFileSync(`${path}.tmp`, JSON.stringify(next, null, 2), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }
  return { adminPassword: next.adminPassword, demoPassword: next.demoPassword, tokenKey: Buffer.from(next.tokenKey, 'base64'), adminPasswordChanged: changed, created: stored === null };
}
