#!/usr/bin/env node
/**
 * The `pocketstack` command. `up` starts everything in one process; other verbs arrive with the
 * features they serve. Errors say what to do, and exit non-zero.
 */
import { parseArgs } from 'node:util';
import { defaultConfig, startPocketStack, type PocketStackConfig } from '../main.js';

const HELP = `pocketstack — OpenStack networking and block storage in one process

Usage:
  pocketstack up [options]     start every API on one port and print "PocketStack ready at URL"
  pocketstack trace --from A --to B [--proto tcp --port N] [--json] [--cloud NAME]  explain a flow hop by hop (--matrix --network N for all pairs; see pocketstack trace --help)
  pocketstack storage check [--home DIR]  check the volume store in HOME/volumes (exit 0 ok, 1 problems or in use, 2 no store)

Options for up:
  --home DIR        state directory (default $POCKETSTACK_HOME, else ./.pocketstack)
  --host HOST       address to listen on (default 127.0.0.1)
  --port N          port (default 0: any free port; the ready line shows it)
  --db URL          sqlite (default, a file in HOME) or postgres://user:pass@host/db
  --dataplane KIND  sim (default) or linux
  --storage KIND    local (default)
  --token-ttl SECS  token lifetime (default 3600)
  --log FILE        log file, or "stdout" (default HOME/pocketstack.log)
  --log-level LVL   trace|debug|info|warn|error (default info)

Environment:
  POCKETSTACK_ADMIN_PASSWORD  the admin password (else generated once and kept in HOME/secrets.json)
`;

export class UsageError extends Error {}

export function parseUpArgs(argv: string[]): PocketStackConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      home: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      db: { type: 'string' },
      dataplane: { type: 'string' },
      storage: { type: 'string' },
      'token-ttl': { type: 'string' },
      log: { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${values.port}"`);
  const db = values.db ?? 'sqlite';
  if (db !== 'sqlite' && !/^postgres(ql)?:\/\//.test(db)) throw new UsageError(`--db must be "sqlite" or a postgres:// URL, not "${db}"`);
  const dataplane = values.dataplane ?? 'sim';
  if (dataplane !== 'sim' && dataplane !== 'linux') throw new UsageError(`--dataplane must be "sim" or "linux", not "${dataplane}"`);
  if (dataplane === 'linux') throw new UsageError('--dataplane linux is not available yet in this build; use --dataplane sim');
  const storage = values.storage ?? 'local';
  if (storage !== 'local') throw new UsageError(`--storage must be "local", not "${storage}"`);
  const ttl = values['token-ttl'] === undefined ? 3600 : Number(values['token-ttl']);
  if (!Number.isInteger(ttl) || ttl < 1) throw new UsageError(`--token-ttl must be a positive number of seconds, not "${values['token-ttl']}"`);
  return defaultConfig({
    ...(values.home ? { home: values.home } : {}),
    ...(values.host ? { host: values.host } : {}),
    port,
    db,
    dataplane,
    storage,
    tokenTtlSeconds: ttl,
    ...(values.log ? { logTo: values.log } : {}),
    ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
  });
}

async function up(argv: string[]): Promise<void> {
  const cfg = parseUpArgs(argv);
  const running = await startPocketStack(cfg);
  process.stdout.write(`PocketStack ready at ${running.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, 'stopping: finishing in-flight requests');
    running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'up':
        await up(rest);
        return;
      case 'trace':
        process.exitCode = await (await import('./trace.js')).runTraceCommand(rest);
        return;
      case 'storage':
        process.exitCode = await (await import('./storage-check.js')).runStorageCommand(rest);
        return;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return;
      default:
        throw new UsageError(`unknown command "${verb}"; try: pocketstack up`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`pocketstack: ${err.message}\n${verb === 'up' ? 'See: pocketstack --help\n' : ''}`);
      process.exit(2);
    }
    if (err.code === 'EADDRINUSE') {
      process.stderr.write(`pocketstack: the port is already in use (${err.message}); choose another with --port, or --port 0\n`);
      process.exit(1);
    }
    if (err.code === 'ECONNREFUSED' || /password authentication failed|does not exist/.test(err.message)) {
      process.stderr.write(`pocketstack: cannot open the database: ${err.message}\nCheck --db (is PostgreSQL running, and does the database exist?)\n`);
      process.exit(1);
    }
    process.stderr.write(`pocketstack: ${err.stack ?? err.message}\n`);
    process.exit(1);
  }
}
