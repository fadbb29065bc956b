/**
 * The one composition root: config -> store -> drivers -> services -> API. Only this file (and test
 * fixtures) wires concrete stores and drivers to the core.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { AuthService } from './core/identity/auth-service.js';
import { bootstrapIdentity, type CatalogSpec } from './core/identity/bootstrap.js';
import { CatalogServiceUseCases } from './core/identity/catalog-service.js';
import { IdentityService } from './core/identity/identity-service.js';
import { systemClock } from './core/ports/clock.js';
import type { PasswordHasher } from './core/ports/crypto.js';
import { HmacTokenCodec, randomIds } from './drivers/crypto/hmac-token-codec.js';
import { ScryptPasswordHasher } from './drivers/crypto/scrypt-password-hasher.js';
import { registerIdentityApi } from './api/identity/index.js';
import { createHttpMetrics } from './api/http/metrics.js';
import { createHttpServer } from './api/http/server.js';
import { openDatabase, ping } from './store/sql/database.js';
import { SqlIdentityStore } from './store/sql/identity-store.js';
import { SqlResourceStore } from './store/sql/resource-store.js';
import { SqlChangeFeed } from './store/sql/change-feed.js';
import { MODULES } from './wiring/modules.js';
import type { MountedModule, SharedServices } from './wiring/module.js';
import { loadSecrets } from './home/secrets.js';
import { writeCloudsYaml } from './home/clouds-yaml.js';

export interface PocketStackConfig {
  home: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** `sqlite` (a file in home) or a postgres:// URL. */
  db: string;
  dataplane: 'sim' | 'linux';
  storage: 'local';
  tokenTtlSeconds: number;
  region: string;
  /** Where logs go: a file path, or 'stdout'. Default HOME/pocketstack.log. */
  logTo?: string;
  logLevel?: string;
  /** Admin password from the environment; else generated once and kept in HOME. */
  adminPassword?: string;
}

export interface RunningPocketStack {
  url: string;
  home: string;
  cloudsYaml: string;
  adminPassword: string;
  demoPassword: string;
  logger: Logger;
  close(): Promise<void>;
}

export function defaultConfig(overrides: Partial<PocketStackConfig> = {}): PocketStackConfig {
  return {
    home: resolve(process.env.POCKETSTACK_HOME ?? '.pocketstack'),
    host: '127.0.0.1',
    port: 0,
    db: 'sqlite',
    dataplane: 'sim',
    storage: 'local',
    tokenTtlSeconds: 3600,
    region: 'RegionOne',
    adminPassword: process.env.POCKETSTACK_ADMIN_PASSWORD || undefined,
    ...overrides,
  };
}

/**
 * A hasher whose first `hash` of each given password returns a hash begun now. Both at once: measured
 * on 2 cores, that beat one after the other (docs/benchmarks.md, start-up).
 */
function withEarlyHashes(hasher: PasswordHasher, passwords: string[]): PasswordHasher {
  const early = new Map(passwords.map((p) => [p, hasher.hash(p)] as const));
  for (const h of early.values()) h.catch(() => undefined); // a failure surfaces where the hash is used
  return {
    hash(password) {
      const h = early.get(password);
      early.delete(password);
      return h ?? hasher.hash(password);
    },
    verify: (password, hash) => hasher.verify(password, hash),
  };
}

export async function startPocketStack(cfg: PocketStackConfig): Promise<RunningPocketStack> {
  const home = resolve(cfg.home);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const secrets = loadSecrets(home, cfg.adminPassword);
  const destination =
    cfg.logTo === 'stdout' ? pino.destination(1) : pino.destination({ dest: cfg.logTo ?? join(home, 'pocketstack.log'), sync: false, mkdir: true });
  // An async log file must be open before anything may exit, or pino's exit flush throws.
  const logReady = cfg.logTo === 'stdout' ? Promise.resolve() : new Promise<void>((r) => destination.once('ready', () => r()));
  const logger = pino({ level: cfg.logLevel ?? 'info', redact: ['req.headers["x-auth-token"]', 'req.headers["x-subject-token"]', '*.password'] }, destination);
  // Before anything can fail: pino flushes on exit and throws if the file is not open yet.
  await logReady;

  const dbUrl = cfg.db === 'sqlite' ? join(home, 'state.db') : cfg.db;
  const database = await openDatabase(dbUrl);
  const identityStore = new SqlIdentityStore(database.db);
  const hasher = new ScryptPasswordHasher();
  // New secrets (a new HOME) or a changed admin password: the bootstrap after listen will hash them.
  // Begin now, on the thread pool, while the main thread builds the API (scrypt ≈ 75 ms each here).
  const bootHasher = secrets.created
    ? withEarlyHashes(hasher, [secrets.adminPassword, secrets.demoPassword])
    : secrets.adminPasswordChanged
      ? withEarlyHashes(hasher, [secrets.adminPassword])
      : hasher;
  const codec = new HmacTokenCodec(secrets.tokenKey);
  const auth = new AuthService(identityStore, hasher, codec, randomIds, systemClock, cfg.tokenTtlSeconds);
  const identity = new IdentityService(identityStore, hasher, randomIds, systemClock);
  const catalog = new CatalogServiceUseCases(identityStore, randomIds);

  const app = createHttpServer({
    logger,
    metrics: createHttpMetrics(),
    authenticate: async (token, requestId) => auth.toContext(await auth.validate(token), requestId),
    health: () => ping(database.db),
  });
  registerIdentityApi(app, { auth, identity, catalog });
  const resources = new SqlResourceStore(database.db, database.dialect);
  const modules: MountedModule[] = [];
  const shared: SharedServices = {};
  for (const factory of MODULES) {
    modules.push(
      await factory({
        app,
        resources,
        changes: new SqlChangeFeed(database.db),
        ids: randomIds,
        clock: systemClock,
        logger,
        home,
        projectExists: async (id) => (await identityStore.getProject(id)) !== undefined,
        shared,
      }),
    );
  }

  let address: string;
  try {
    address = await app.listen({ host: cfg.host, port: cfg.port });
  } catch (e) {
    await database.close();
    throw e;
  }
  const url = address.replace('://[::1]', '://localhost');
  const services: CatalogSpec[] = [
    { type: 'identity', name: 'keystone', description: 'Identity (Keystone v3)', url: `${url}/identity` },
    ...modules.flatMap((m) => m.catalog(url)),
  ];
  await bootstrapIdentity(
    identityStore,
    bootHasher,
    randomIds,
    {
      region: cfg.region,
      adminPassword: secrets.adminPassword,
      demoPassword: secrets.demoPassword,
      resetAdminPassword: secrets.adminPasswordChanged,
      services,
    },
    () => new Date().toISOString(),
  );
  for (const m of modules) await m.start?.(url);
  const cloudsYaml = writeCloudsYaml(home, { authUrl: `${url}/identity/v3`, region: cfg.region, adminPassword: secrets.adminPassword, demoPassword: secrets.demoPassword });
  logger.info({ url, home, db: database.dialect }, 'PocketStack ready');

  let closing: Promise<void> | null = null;
  return {
    url,
    home,
    cloudsYaml,
    adminPassword: secrets.adminPassword,
    demoPassword: secrets.demoPassword,
    logger,
    close() {
      closing ??= (async () => {
        await app.close();
        for (const m of [...modules].reverse()) await m.stop?.();
        await database.close();
        logger.flush();
      })();
      return closing;
    },
  };
}
