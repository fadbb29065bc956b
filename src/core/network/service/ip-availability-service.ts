/**
 * Network IP availability (admin): per network and subnet, the pool size and the addresses in use,
 * counted from the IP claims. O(networks + subnets) reads; an operator view, not a hot path.
 * Pure core.
 */
import type { RequestContext } from '../../identity/context.js';
import { KIND, type NetworkData, type SubnetData } from '../../model/network.js';
import { poolsSize } from '../subnet/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { notFound } from './scope.js';

export interface SubnetAvailability {
  subnetId: string;
  subnetName: string;
  cidr: string;
  ipVersion: number;
  /** Exact: an IPv6 pool easily exceeds 2^53. */
  totalIps: bigint;
  usedIps: number;
}

export interface NetworkAvailability {
  networkId: string;
  networkName: string;
  projectId: string;
  totalIps: bigint;
  usedIps: number;
  subnetIpAvailability: SubnetAvailability[];
}

export class IpAvailabilityService {
  constructor(private readonly deps: NetworkDeps) {}

  async list(ctx: RequestContext, networkId?: string): Promise<NetworkAvailability[]> {
    authorizeNetwork(ctx, 'get_network_ip_availability');
    const store = this.deps.store;
    const nets = networkId ? [await store.get<NetworkData>(KIND.network, networkId)].filter((n) => n !== undefined) : await store.list<NetworkData>(KIND.network);
    if (networkId && nets.length === 0) throw notFound(KIND.network, networkId);
    const out: NetworkAvailability[] = [];
    for (const n of nets) {
      const subnets: SubnetAvailability[] = [];
      for (const s of await store.list<SubnetData>(KIND.subnet, { parentId: n!.id })) {
        const total = poolsSize(s.data.allocationPools, s.data.ipVersion);
        const used = (await store.listClaims(`ip:${s.id}`)).length;
        subnets.push({
          subnetId: s.id,
          subnetName: s.data.name,
          cidr: s.data.cidr,
          ipVersion: s.data.ipVersion,
          totalIps: total,
          usedIps: used,
        });
      }
      out.push({
        networkId: n!.id,
        networkName: n!.data.name,
        projectId: n!.projectId,
        totalIps: subnets.reduce((a, s) => a + s.totalIps, 0n),
        usedIps: subnets.reduce((a, s) => a + s.usedIps, 0),
        subnetIpAvailability: subnets,
      });
    }
    return out;
  }
}
