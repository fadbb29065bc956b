/** A tiny HTTP client for e2e tests: JSON in and out, the token header, and the raw response. */
export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export async function call(
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers['x-auth-token'] = opts.token;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export async function issueToken(base: string, user: string, password: string, project: string | null): Promise<{ token: string; body: any }> {
  const scope = project ? { project: { name: project, domain: { id: 'default' } } } : undefined;
  const r = await call('POST', `${base}/identity/v3/auth/tokens`, {
    body: { auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } }, ...(scope ? { scope } : {}) } },
  });
  if (r.status !== 201) throw new Error(`token issue failed: ${r.status} ${r.text}`);
  return { token: r.headers.get('x-subject-token') as string, body: r.body };
}
