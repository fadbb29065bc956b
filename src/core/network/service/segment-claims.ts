/**
 * Segment ownership made durable: the pure SegmentAllocator decides, a claim in namespace `segment`
 * keyed (type|physnet|id) makes it unique across concurrent transactions and processes. A lost race
 * (the claim is taken) rebuilds the allocator from the claims and tries again. Pure core.
 */
import { Unavailable } from '../../errors.js';
import type { SegmentData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { type ProviderSegmentRequest, type Segment, SegmentAllocator, type TypeDriverConfig } from '../segments/index.js';

const NS = 'segment';

function keyOf(s: SegmentData): string {
  return `${s.networkType}|${s.physicalNetwork ?? ''}|${s.segmentationId ?? ''}`;
}

function parseKey(key: string): Segment {
  const [type, physnet, id] = key.split('|');
  return { networkType: type as Segment['networkType'], physicalNetwork: physnet || null, segmentationId: id ? Number(id) : null };
}

async function allocator(tx: ResourceTx, config: TypeDriverConfig): Promise<SegmentAllocator> {
  const held = await tx.listClaims(NS);
  return new SegmentAllocator(config, held.map((c) => parseKey(c.key)));
}

/** A tenant segment (or the provider one requested) claimed for `networkId`. */
export async function claimSegment(
  tx: ResourceTx,
  config: TypeDriverConfig,
  networkId: string,
  provider: ProviderSegmentRequest | null,
): Promise<SegmentData> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const a = await allocator(tx, config);
    const s = provider ? a.reserveProviderSegment(provider) : a.allocateTenantSegment();
    if (s.networkType === 'local') return s;
    if (await tx.claim(NS, keyOf(s), networkId)) return s;
  }
  throw new Unavailable('Unable to create the network. No tenant network is available for allocation.', 'NoNetworkAvailable');
}

export async function releaseSegment(tx: ResourceTx, networkId: string): Promise<void> {
  await tx.releaseOwner(NS, networkId);
}
