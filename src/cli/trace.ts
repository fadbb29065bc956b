/**
 * `pocketstack trace`: explain connectivity from the command line. It is an API client like the
 * openstack CLI (credentials from OS_* variables or clouds.yaml, a Keystone token, the network
 * endpoint from the catalog) so it works against any running PocketStack, local or not:
 *
 *   pocketstack trace --from web --to db --proto tcp --port 5432
 *   pocketstack trace --matrix --network front --proto tcp --port 80
 *
 * Exit status: 0 delivered (or a matrix printed), 1 not delivered, 2 usage or API error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

export const TRACE_HELP = `pocketstack trace --from SERVER|PORT|IP|outside:NET --to SERVER|PORT|IP [--proto tcp|udp|icmp|dhcp] [--port N] [--json] [--cloud NAME]
pocketstack trace --matrix (--network NET | --project PROJECT) [--proto P] [--port N] [--json] [--cloud NAME]

Credentials: OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME when set, else the cloud --cloud
(or $OS_CLOUD, else "pocketstack") from $OS_CLIENT_CONFIG_FILE, --home DIR/clouds.yaml,
./.pocketstack/clouds.yaml or ~/.config/openstack/clouds.yaml.
`;

interface Credentials {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

class CliError extends Error {}

function credentials(cloud: string | undefined, home: string | undefined): Credentials {
  const env = process.env;
  if (!cloud && env['OS_AUTH_URL'] && env['OS_USERNAME']) {
    return {
      authUrl: env['OS_AUTH_URL'],
      username: env['OS_USERNAME'],
      password: env['OS_PASSWORD'] ?? '',
      projectName: env['OS_PROJECT_NAME'] ?? '',
      userDomainName: env['OS_USER_DOMAIN_NAME'] ?? 'Default',
      projectDomainName: env['OS_PROJECT_DOMAIN_NAME'] ?? 'Default',
    };
  }
  const name = cloud ?? env['OS_CLOUD'] ?? 'pocketstack';
  const candidates = [
    env['OS_CLIENT_CONFIG_FILE'],
    home ? join(resolve(home), 'clouds.yaml') : undefined,
    env['POCKETSTACK_HOME'] ? join(resolve(env['POCKETSTACK_HOME']), 'clouds.yaml') : undefined,
    resolve('.pocketstack', 'clouds.yaml'),
    'clouds.yaml',
    join(homedir(), '.config', 'openstack', 'clouds.yaml'),
  ].filter((p): p is string => !!p && existsSync(p));
  for (const file of candidates) {
    const doc = parse(readFileSync(file, 'utf8')) as { clouds?: Record<string, { auth?: Record<string, string> }> };
    const a = doc?.clouds?.[name]?.auth;
    if (!a) continue;
    return {
      authUrl: a['auth_url'] ?? '',
      username: a['username'] ?? '',
      password: a['password'] ?? '',
      projectName: a['project_name'] ?? '',
      userDomainName: a['user_domain_name'] ?? 'Default',
      projectDomainName: a['project_domain_name'] ?? 'Default',
    };
  }
  throw new CliError(`no credentials: set OS_AUTH_URL and friends, or name a cloud in clouds.yaml (looked for "${name}" in ${candidates.join(', ') || 'no file found'})`);
}

interface Session {
  token: string;
  network: string;
  identity: string;
}

async function json(res: Response): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { text };
  }
}

function apiError(body: any, status: number): CliError { // eslint-disable-line @typescript-eslint/no-explicit-any
  const m = body?.NeutronError?.message ?? body?.error?.message ?? body?.text ?? JSON.stringify(body);
  return new CliError(`${status}: ${m}`);
}

async function login(c: Credentials): Promise<Session> {
  const base = c.authUrl.replace(/\/+$/, '');
  const url = /\/v3$/.test(base) ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: c.username, domain: { name: c.userDomainName }, password: c.password } } },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
      },
    }),
  });
  const body = await json(res);
  if (res.status !== 201) throw apiError(body, res.status);
  const endpoint = (type: string) =>
    (body.token.catalog as Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }>)
      .find((s) => s.type === type)
      ?.endpoints.find((e) => e.interface === 'public')?.url;
  const network = endpoint('network');
  if (!network) throw new CliError('the catalog has no network endpoint');
  return { token: res.headers.get('x-subject-token') ?? '', network: network.replace(/\/+$/, ''), identity: base.replace(/\/v3$/, '') };
}

async function call(s: Session, method: string, url: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url, { method, headers: { 'x-auth-token': s.token, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const parsed = await json(res);
  if (res.status >= 400) throw apiError(parsed, res.status);
  return parsed;
}

const UUIDISH = /^[0-9a-f-]{32,36}$/i;

async function networkId(s: Session, ref: string): Promise<string> {
  if (UUIDISH.test(ref)) return ref;
  const nets = (await call(s, 'GET', `${s.network}/v2.0/networks?name=${encodeURIComponent(ref)}`)).networks as Array<{ id: string }>;
  if (nets.length !== 1) throw new CliError(nets.length ? `several networks are named ${ref}; use the id` : `no network named ${ref}`);
  return nets[0]!.id;
}

async function projectId(s: Session, ref: string): Promise<string> {
  if (UUIDISH.test(ref)) return ref;
  const r = await call(s, 'GET', `${s.identity}/v3/projects?name=${encodeURIComponent(ref)}`).catch(() => ({ projects: [] }));
  return (r.projects as Array<{ id: string }>)[0]?.id ?? ref;
}

export async function runTraceCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      proto: { type: 'string', default: 'icmp' },
      port: { type: 'string' },
      json: { type: 'boolean', default: false },
      cloud: { type: 'string' },
      home: { type: 'string' },
      matrix: { type: 'boolean', default: false },
      network: { type: 'string' },
      project: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(TRACE_HELP);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  try {
    if (values.matrix ? !values.network && !values.project : !values.from || (!values.to && values.proto !== 'dhcp')) {
      throw new CliError(`missing arguments\n${TRACE_HELP}`);
    }
    const s = await login(credentials(values.cloud, values.home));
    if (values.matrix) {
      const scope = values.network ? { network_id: await networkId(s, values.network) } : { project_id: await projectId(s, values.project!) };
      const r = await call(s, 'POST', `${s.network}/v2.0/traces/matrix`, { matrix: { ...scope, protocol: values.proto, ...(port !== undefined ? { port } : {}) } });
      process.stdout.write(values.json ? `${JSON.stringify(r.matrix)}\n` : `${r.matrix.text}\n`);
      return 0;
    }
    const r = await call(s, 'POST', `${s.network}/v2.0/traces`, { trace: { from: values.from, to: values.to ?? values.from, protocol: values.proto, ...(port !== undefined ? { port } : {}) } });
    process.stdout.write(values.json ? `${JSON.stringify(r.trace)}\n` : `${r.trace.text}\n`);
    return r.trace.verdict === 'delivered' ? 0 : 1;
  } catch (e) {
    if (!(e instanceof CliError) && !(e instanceof TypeError)) throw e;
    process.stderr.write(`pocketstack trace: ${(e as Error).message}\n`);
    return 2;
  }
}
