/**
 * The ML2 type-driver job: who owns which segment. Allocates tenant segments (lowest free id in
 * the configured ranges, types tried in tenantNetworkTypes order), reserves provider segments,
 * releases. Pure core: the store passes the segments already in use and persists the result under
 * a unique constraint on (network_type, physical_network, segmentation_id), retrying on conflict.
 *
 * Errors: NoNetworkAvailable (503) when the ranges are exhausted; VlanIdInUse, TunnelIdInUse,
 * FlatNetworkInUse (409) when a provider request names a segment already taken.
 */
import { InUse, Unavailable } from '../../errors.js';
import { type NetworkType, isTunnelType } from './network-type.js';
import { type ProviderSegmentRequest, type Segment, validateProviderSegment } from './provider-segment.js';
import { type IdRange, type TypeDriverConfig, validateTypeDriverConfig } from './type-driver-config.js';

function keyOf(type: NetworkType, physnet: string | null, id: number | null): string {
  return `${type}|${physnet ?? ''}|${id ?? ''}`;
}

export class SegmentAllocator {
  private readonly config: TypeDriverConfig;
  private readonly used = new Set<string>();

  constructor(config: TypeDriverConfig, allocated: Iterable<Segment> = []) {
    validateTypeDriverConfig(config);
    this.config = config;
    for (const s of allocated) this.used.add(keyOf(s.networkType, s.physicalNetwork, s.segmentationId));
  }

  isAllocated(segment: Segment): boolean {
    return this.used.has(keyOf(segment.networkType, segment.physicalNetwork, segment.segmentationId));
  }

  private tunnelRanges(type: NetworkType): IdRange[] {
    if (type === 'vxlan') return this.config.vxlanVniRanges;
    if (type === 'gre') return this.config.greIdRanges;
    if (type === 'geneve') return this.config.geneveVniRanges;
    return [];
  }

  /** Lowest free id in `ranges` for (type, physnet); null when all are taken. */
  private lowestFree(type: NetworkType, physnet: string | null, ranges: readonly IdRange[]): number | null {
    const sorted = [...ranges].sort((a, b) => a.min - b.min);
    for (const r of sorted) {
      // Walks only past taken ids, so the cost is bounded by the number of allocated segments.
      for (let id = r.min; id <= r.max; id++) {
        if (!this.used.has(keyOf(type, physnet, id))) return id;
      }
    }
    return null;
  }

  /** Tries one type; returns the segment taken or null. */
  private allocateOfType(type: NetworkType, physnet: string | null = null): Segment | null {
    if (type === 'local') return { networkType: 'local', physicalNetwork: null, segmentationId: null };
    if (type === 'vlan') {
      const physnets = physnet !== null ? [physnet] : Object.keys(this.config.vlanRanges).sort();
      for (const p of physnets) {
        const id = this.lowestFree('vlan', p, this.config.vlanRanges[p] ?? []);
        if (id !== null) return this.take({ networkType: 'vlan', physicalNetwork: p, segmentationId: id });
      }
      return null;
    }
    if (isTunnelType(type)) {
      const id = this.lowestFree(type, null, this.tunnelRanges(type));
      return id === null ? null : this.take({ networkType: type, physicalNetwork: null, segmentationId: id });
    }
    return null;
  }

  private take(s: Segment): Segment {
    this.used.add(keyOf(s.networkType, s.physicalNetwork, s.segmentationId));
    return s;
  }

  private noNetwork(): Unavailable {
    return new Unavailable('Unable to create the network. No tenant network is available for allocation.', 'NoNetworkAvailable');
  }

  /** A segment for a tenant network. Unavailable NoNetworkAvailable (503) when exhausted. */
  allocateTenantSegment(): Segment {
    if (this.config.tenantNetworkTypes.length === 0) {
      throw new Unavailable('Tenant network creation is not enabled.', 'TenantNetworksDisabled');
    }
    for (const type of this.config.tenantNetworkTypes) {
      const s = this.allocateOfType(type);
      if (s !== null) return s;
    }
    throw this.noNetwork();
  }

  /**
   * Validates and takes a provider segment. A request without a segmentation id gets the lowest
   * free one of its type (and physnet); a provider id may lie outside the tenant ranges.
   */
  reserveProviderSegment(request: ProviderSegmentRequest): Segment {
    const s = validateProviderSegment(request, this.config);
    if (s.networkType === 'local') return s;
    if (s.networkType === 'flat') {
      if (this.isAllocated(s)) {
        throw new InUse(`Unable to create the flat network. Physical network ${s.physicalNetwork} is in use.`, 'FlatNetworkInUse');
      }
      return this.take(s);
    }
    if (s.segmentationId === null) {
      const got = this.allocateOfType(s.networkType, s.physicalNetwork);
      if (got === null) throw this.noNetwork();
      return got;
    }
    if (this.isAllocated(s)) {
      if (s.networkType === 'vlan') {
        throw new InUse(
          `Unable to create the network. The VLAN ${s.segmentationId} on physical network ${s.physicalNetwork} is in use.`,
          'VlanIdInUse',
        );
      }
      throw new InUse(`Unable to create the network. The tunnel ID ${s.segmentationId} is in use.`, 'TunnelIdInUse');
    }
    return this.take(s);
  }

  /** Gives a segment back; releasing what is not held is a no-op. */
  release(segment: Segment): void {
    this.used.delete(keyOf(segment.networkType, segment.physicalNetwork, segment.segmentationId));
  }
}
