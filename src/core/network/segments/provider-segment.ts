/**
 * Validation of a provider segment request (provider:network_type, provider:physical_network,
 * provider:segmentation_id) as ML2's type drivers do it, in their words. Pure core.
 */
import { InvalidInput } from '../../errors.js';
import { type NetworkType, SEGMENTATION_ID_BOUNDS, isNetworkType, isTunnelType } from './network-type.js';
import { type TypeDriverConfig } from './type-driver-config.js';

export interface Segment {
  networkType: NetworkType;
  /** Set for flat and vlan only. */
  physicalNetwork: string | null;
  /** VLAN id, VNI or GRE key; null for flat and local, and for a provider request that leaves it to us. */
  segmentationId: number | null;
}

export interface ProviderSegmentRequest {
  networkType: unknown;
  physicalNetwork?: unknown;
  segmentationId?: unknown;
}

function invalid(reason: string): InvalidInput {
  return new InvalidInput(`Invalid input for operation: ${reason}.`, 'InvalidInput');
}

function parseSegmentationId(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new InvalidInput(
      `Invalid input for provider:segmentation_id. Reason: '${String(value)}' is not an integer.`,
      'HTTPBadRequest',
    );
  }
  return n;
}

/**
 * Normalizes and validates a provider request. The result may still lack a segmentation id (a
 * vlan request naming only the physnet, a tunnel request naming only the type): the allocator
 * fills it in from the tenant ranges.
 */
export function validateProviderSegment(request: ProviderSegmentRequest, config: TypeDriverConfig): Segment {
  const type = request.networkType;
  if (!isNetworkType(type)) throw invalid(`network_type value '${String(type)}' not supported`);
  const physnetRaw = request.physicalNetwork;
  if (physnetRaw !== undefined && physnetRaw !== null && typeof physnetRaw !== 'string') {
    throw new InvalidInput(
      `Invalid input for provider:physical_network. Reason: '${String(physnetRaw)}' is not a valid string.`,
      'HTTPBadRequest',
    );
  }
  const physnet = physnetRaw === undefined || physnetRaw === null || physnetRaw === '' ? null : physnetRaw;
  const segId = parseSegmentationId(request.segmentationId);

  if (type === 'flat') {
    if (physnet === null) throw invalid('physical_network required for flat provider network');
    if (config.flatNetworks !== '*') {
      if (config.flatNetworks.length === 0) throw invalid('Flat provider networks are disabled');
      if (!config.flatNetworks.includes(physnet)) throw invalid(`physical_network '${physnet}' unknown for flat provider network`);
    }
    if (segId !== null) throw invalid('segmentation_id prohibited for flat provider network');
    return { networkType: 'flat', physicalNetwork: physnet, segmentationId: null };
  }

  if (type === 'vlan') {
    const b = SEGMENTATION_ID_BOUNDS.vlan!;
    if (physnet !== null) {
      if (!(physnet in config.vlanRanges)) throw invalid(`physical_network '${physnet}' unknown for VLAN provider network`);
      if (segId !== null) {
        if (segId < b.min || segId > b.max) throw invalid(`segmentation_id out of range (${b.min} through ${b.max})`);
      } else if ((config.vlanRanges[physnet] ?? []).length === 0) {
        throw invalid(`Physical network ${physnet} requires segmentation_id to be specified when creating a provider network`);
      }
    } else if (segId !== null) {
      throw invalid('segmentation_id requires physical_network for VLAN provider network');
    }
    return { networkType: 'vlan', physicalNetwork: physnet, segmentationId: segId };
  }

  if (isTunnelType(type)) {
    if (physnet !== null) throw invalid(`provider:physical_network specified for ${type} network`);
    const b = SEGMENTATION_ID_BOUNDS[type]!;
    if (segId !== null && (segId < b.min || segId > b.max)) throw invalid(`segmentation_id out of range (${b.min} through ${b.max})`);
    return { networkType: type, physicalNetwork: null, segmentationId: segId };
  }

  // local
  if (physnet !== null) throw invalid('physical_network prohibited for local provider network');
  if (segId !== null) throw invalid('segmentation_id prohibited for local provider network');
  return { networkType: 'local', physicalNetwork: null, segmentationId: null };
}
