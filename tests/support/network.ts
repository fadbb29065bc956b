/**
 * Networking fixtures for e2e and compat tests: a Neutron client over `call` and the external
 * network `public` (flat on physnet `public`, 203.0.113.0/24 without DHCP) that router and floating
 * IP tests need. PocketStack creates nothing at start, so tests make it explicitly.
 */
import { call, type Reply } from './http.js';

export interface Neutron {
  base: string;
  get(path: string, token?: string): Promise<Reply>;
  post(path: string, body: unknown, token?: string): Promise<Reply>;
  put(path: string, body: unknown, token?: string, headers?: Record<string, string>): Promise<Reply>;
  del(path: string, token?: string, headers?: Record<string, string>): Promise<Reply>;
}

export function neutron(serverUrl: string, defaultToken: string): Neutron {
  const base = `${serverUrl}/network/v2.0`;
  return {
    base,
    get: (p, t = defaultToken) => call('GET', `${base}${p}`, { token: t }),
    post: (p, body, t = defaultToken) => call('POST', `${base}${p}`, { token: t, body }),
    put: (p, body, t = defaultToken, headers) => call('PUT', `${base}${p}`, { token: t, body, headers }),
    del: (p, t = defaultToken, headers) => call('DELETE', `${base}${p}`, { token: t, headers }),
  };
}

/** Creates the external network `public` with its subnet; returns both ids. Needs an admin token. */
export async function createPublicNetwork(n: Neutron, cidr = '203.0.113.0/24'): Promise<{ networkId: string; subnetId: string }> {
  const net = await n.post('/networks', {
    network: { name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'public' },
  });
  if (net.status !== 201) throw new Error(`public network: ${net.status} ${net.text}`);
  const sub = await n.post('/subnets', { subnet: { name: 'public-subnet', network_id: net.body.network.id, cidr, ip_version: 4, enable_dhcp: false } });
  if (sub.status !== 201) throw new Error(`public subnet: ${sub.status} ${sub.text}`);
  return { networkId: net.body.network.id, subnetId: sub.body.subnet.id };
}
