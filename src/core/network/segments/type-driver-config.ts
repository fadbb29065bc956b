/**
 * What the operator configures for segment allocation (ML2's [ml2], [ml2_type_*] sections) and its
 * validation. Pure core.
 */
import { InvalidInput } from '../../errors.js';
import { type NetworkType, SEGMENTATION_ID_BOUNDS, isNetworkType } from './network-type.js';

export interface IdRange {
  min: number;
  max: number;
}

export interface TypeDriverConfig {
  /** Types tried, in order, for a tenant network (ML2 tenant_network_types). */
  tenantNetworkTypes: NetworkType[];
  /** Physical networks allowed for flat networks; '*' allows any (ML2 flat_networks). */
  flatNetworks: string[] | '*';
  /**
   * Physical networks usable for VLAN networks and their tenant ranges (network_vlan_ranges). A
   * physnet with no ranges accepts provider networks only.
   */
  vlanRanges: Record<string, IdRange[]>;
  vxlanVniRanges: IdRange[];
  greIdRanges: IdRange[];
  geneveVniRanges: IdRange[];
}

/** PocketStack's laptop default: VXLAN tenant networks, a `public` physnet for flat/VLAN providers. */
export function defaultTypeDriverConfig(): TypeDriverConfig {
  return {
    tenantNetworkTypes: ['vxlan'],
    flatNetworks: ['public'],
    vlanRanges: { public: [] },
    vxlanVniRanges: [{ min: 1, max: 1000 }],
    greIdRanges: [{ min: 1, max: 1000 }],
    geneveVniRanges: [{ min: 1, max: 1000 }],
  };
}

/** Throws InvalidInput (NetworkTunnelRangeError / NetworkVlanRangeError wording) on a bad config. */
export function validateTypeDriverConfig(config: TypeDriverConfig): void {
  for (const t of config.tenantNetworkTypes) {
    if (!isNetworkType(t) || t === 'flat') {
      throw new InvalidInput(`network_type value '${String(t)}' not supported for tenant networks`, 'InvalidConfigurationOption');
    }
  }
  const checkTunnel = (type: NetworkType, ranges: IdRange[]) => {
    const b = SEGMENTATION_ID_BOUNDS[type]!;
    for (const r of ranges) {
      if (!Number.isInteger(r.min) || !Number.isInteger(r.max) || r.min > r.max || r.min < b.min || r.max > b.max) {
        throw new InvalidInput(
          `Invalid network tunnel range: '${r.min}:${r.max}' - ${type} ids must be ${b.min} through ${b.max} with start <= end.`,
          'NetworkTunnelRangeError',
        );
      }
    }
  };
  checkTunnel('vxlan', config.vxlanVniRanges);
  checkTunnel('gre', config.greIdRanges);
  checkTunnel('geneve', config.geneveVniRanges);
  for (const [physnet, ranges] of Object.entries(config.vlanRanges)) {
    if (physnet === '') throw new InvalidInput('Empty physical network name.', 'PhysicalNetworkNameError');
    for (const r of ranges) {
      if (!Number.isInteger(r.min) || !Number.isInteger(r.max) || r.min > r.max || r.min < 1 || r.max > 4094) {
        throw new InvalidInput(`Invalid network VLAN range: '${r.min}:${r.max}' - 'VLAN ids must be 1 through 4094'.`, 'NetworkVlanRangeError');
      }
    }
  }
}
