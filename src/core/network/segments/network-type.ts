/**
 * Network (segment) types of ML2 and what each implies: the legal segmentation id range and the
 * MTU a network of that type gets on a given underlay. Pure core: imports nothing.
 *
 * MTU follows Neutron: underlay MTU minus the outer IP header (20 for a v4 underlay, 40 for v6)
 * minus the encapsulation header (VXLAN 30 = 8 UDP + 8 VXLAN + 14 inner Ethernet; GRE 22;
 * Geneve `geneveMaxHeaderSize`). Neutron's own geneve default is 30, but OVN deployments set 38
 * (room for OVN's option TLVs) and OVN is what a Geneve user runs, so 38 is our default: that is
 * the often-quoted 58-byte Geneve overhead on a v4 underlay.
 */

export type NetworkType = 'vxlan' | 'vlan' | 'flat' | 'gre' | 'geneve' | 'local';
export const NETWORK_TYPES: readonly NetworkType[] = ['flat', 'geneve', 'gre', 'local', 'vlan', 'vxlan'];
export type TunnelType = 'vxlan' | 'gre' | 'geneve';

export function isNetworkType(value: unknown): value is NetworkType {
  return typeof value === 'string' && (NETWORK_TYPES as readonly string[]).includes(value);
}

export function isTunnelType(type: NetworkType): type is TunnelType {
  return type === 'vxlan' || type === 'gre' || type === 'geneve';
}

/** Inclusive legal segmentation ids per type; null where a type takes none. */
export const SEGMENTATION_ID_BOUNDS: Readonly<Record<NetworkType, { min: number; max: number } | null>> = {
  vlan: { min: 1, max: 4094 },
  vxlan: { min: 1, max: 2 ** 24 - 1 },
  geneve: { min: 1, max: 2 ** 24 - 1 },
  gre: { min: 1, max: 2 ** 32 - 1 },
  flat: null,
  local: null,
};

export const DEFAULT_UNDERLAY_MTU = 1500;
export const DEFAULT_GENEVE_MAX_HEADER_SIZE = 38;
const VXLAN_ENCAP_OVERHEAD = 30;
const GRE_ENCAP_OVERHEAD = 22;

export interface MtuOptions {
  /** Neutron's global_physnet_mtu / path_mtu; default 1500. */
  underlayMtu?: number;
  /** IP family of the tunnel endpoints (Neutron's overlay_ip_version); default 4. */
  overlayIpVersion?: 4 | 6;
  geneveMaxHeaderSize?: number;
  /** Per physical network MTU (Neutron's physical_network_mtus), for vlan and flat. */
  physicalNetworkMtus?: Readonly<Record<string, number>>;
}

/** Bytes a type's encapsulation costs per packet on the underlay. */
export function encapsulationOverhead(type: NetworkType, options: MtuOptions = {}): number {
  if (!isTunnelType(type)) return 0;
  const ipHeader = (options.overlayIpVersion ?? 4) === 6 ? 40 : 20;
  if (type === 'vxlan') return ipHeader + VXLAN_ENCAP_OVERHEAD;
  if (type === 'gre') return ipHeader + GRE_ENCAP_OVERHEAD;
  return ipHeader + (options.geneveMaxHeaderSize ?? DEFAULT_GENEVE_MAX_HEADER_SIZE);
}

/** The MTU a network of `type` gets: vxlan 1450, gre 1458, geneve 1442, vlan/flat/local 1500 by default. */
export function networkMtu(type: NetworkType, physicalNetwork: string | null = null, options: MtuOptions = {}): number {
  let underlay = options.underlayMtu ?? DEFAULT_UNDERLAY_MTU;
  if ((type === 'vlan' || type === 'flat') && physicalNetwork !== null) {
    const perPhysnet = options.physicalNetworkMtus?.[physicalNetwork];
    if (perPhysnet !== undefined) underlay = Math.min(underlay, perPhysnet);
  }
  return underlay - encapsulationOverhead(type, options);
}
