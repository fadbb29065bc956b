/**
 * Overlap of a new subnet's cidr with the other subnets of the same network (Neutron refuses it;
 * overlap across networks is allowed, that is what routers and address scopes sort out). Pure core.
 */
import { type Cidr, cidrsOverlap, formatCidr, tryParseCidrLoose } from '../ip/index.js';
import { invalidOperation } from './subnet-error.js';

export interface ExistingSubnet {
  id: string;
  cidr: string;
}

/** The first existing subnet whose cidr overlaps `cidr`, ignoring `exceptId` (the subnet itself on update). */
export function findOverlappingSubnet(cidr: Cidr, existing: readonly ExistingSubnet[], exceptId?: string): ExistingSubnet | null {
  for (const s of existing) {
    if (s.id === exceptId) continue;
    const other = tryParseCidrLoose(s.cidr);
    if (other !== null && cidrsOverlap(cidr, other)) return s;
  }
  return null;
}

/** InvalidInput (400) in Neutron's wording when the cidr overlaps another subnet of the network. */
export function assertNoSubnetOverlap(networkId: string, cidr: Cidr, existing: readonly ExistingSubnet[], exceptId?: string): void {
  const clash = findOverlappingSubnet(cidr, existing, exceptId);
  if (clash !== null) {
    throw invalidOperation(
      `Requested subnet with cidr: ${formatCidr(cidr)} for network: ${networkId} overlaps with another subnet`,
    );
  }
}
