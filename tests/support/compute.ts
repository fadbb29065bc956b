/**
 * Compute fixtures for e2e tests: a Nova client over `call`, booting a server and waiting until the
 * network agent made it ACTIVE (polling, with a generous deadline: the agent runs on its own timer).
 */
import { call, type Reply } from './http.js';

export interface Nova {
  base: string;
  token: string;
  get(path: string): Promise<Reply>;
  post(path: string, body: unknown): Promise<Reply>;
  put(path: string, body: unknown): Promise<Reply>;
  del(path: string): Promise<Reply>;
}

export function nova(serverUrl: string, token: string): Nova {
  const base = `${serverUrl}/compute/v2.1`;
  return {
    base,
    token,
    get: (p) => call('GET', `${base}${p}`, { token }),
    post: (p, body) => call('POST', `${base}${p}`, { token, body }),
    put: (p, body) => call('PUT', `${base}${p}`, { token, body }),
    del: (p) => call('DELETE', `${base}${p}`, { token }),
  };
}

/** POST /servers with m1.tiny and, unless given, a small image of the caller's project. */
export async function bootServer(c: Nova, server: Record<string, unknown>): Promise<string> {
  const body: Record<string, unknown> = { flavorRef: '1', ...server };
  if (!('imageRef' in server) && !('block_device_mapping_v2' in server)) body['imageRef'] = await imageFor(c);
  const r = await c.post('/servers', { server: body });
  if (r.status !== 202) throw new Error(`server create: ${r.status} ${r.text}`);
  return r.body.server.id as string;
}

const images = new Map<string, Promise<string>>();

/** One uploaded (so active) raw image per server URL and token. */
export function imageFor(c: Nova): Promise<string> {
  const key = `${c.base} ${c.token}`;
  if (!images.has(key)) images.set(key, makeImage(c.base.replace(/\/compute\/v2\.1$/, ''), c.token));
  return images.get(key)!;
}

async function makeImage(root: string, token: string): Promise<string> {
  const img = await call('POST', `${root}/image/v2/images`, { token, body: { name: 'tiny', disk_format: 'raw', container_format: 'bare' } });
  if (img.status !== 201) throw new Error(`image create: ${img.status} ${img.text}`);
  const up = await fetch(`${root}/image/v2/images/${img.body.id}/file`, {
    method: 'PUT',
    headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(1024),
  });
  if (up.status !== 204) throw new Error(`image upload: ${up.status} ${await up.text()}`);
  return img.body.id as string;
}

export async function waitActive(c: Nova, id: string, timeoutMs = 15000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await c.get(`/servers/${id}`)).body.server;
    if (s.status === 'ACTIVE') return s;
    if (s.status === 'ERROR' || Date.now() > deadline) throw new Error(`server ${id} is ${s.status}: ${JSON.stringify(s.fault ?? null)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
