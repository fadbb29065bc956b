/**
 * IPAM made durable and race-free (docs/ipam.md, design B): the pure SubnetIpAllocator picks, a
 * claim `ip:<subnet>` / address / port is the arbiter. One allocator per subnet is cached in memory
 * (keyed by the subnet's revision, which pool changes bump) so a pick is O(1) instead of reading
 * every allocation; the cache is only a hint: a claim that fails means someone else got the address
 * (another process, or a rolled-back pick the cache still counts) and we pick again, and exhaustion
 * is only ever declared from a fresh rebuild out of the claims. Pure core.
 */
import { Conflict } from '../../errors.js';
import type { PortData, Subnet } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { canonicalIp } from '../ip/index.js';
import { SubnetIpAllocator, eui64Address } from '../ipam/index.js';

const ipNs = (subnetId: string) => `ip:${subnetId}`;

interface Cached {
  revision: number;
  allocator: SubnetIpAllocator;
}

export class Ipam {
  private readonly cache = new Map<string, Cached>();

  forget(subnetId: string): void {
    this.cache.delete(subnetId);
  }

  private async rebuild(tx: ResourceTx, subnet: Subnet): Promise<SubnetIpAllocator> {
    const held = await tx.listClaims(ipNs(subnet.id));
    const allocator = SubnetIpAllocator.create(subnet, held.map((c) => c.key));
    this.cache.set(subnet.id, { revision: subnet.revisionNumber, allocator });
    return allocator;
  }

  private async allocatorFor(tx: ResourceTx, subnet: Subnet): Promise<SubnetIpAllocator> {
    const c = this.cache.get(subnet.id);
    if (c && c.revision === subnet.revisionNumber) return c.allocator;
    return this.rebuild(tx, subnet);
  }

  /** Whether any pool address is (probably) free; used to pick among a network's subnets. */
  async hasFree(tx: ResourceTx, subnet: Subnet): Promise<boolean> {
    const a = await this.allocatorFor(tx, subnet);
    if (a.availableCount() > 0n) return true;
    return (await this.rebuild(tx, subnet)).availableCount() > 0n;
  }

  /** The next free pool address, claimed for `portId`. 409 IpAddressGenerationFailure when none. */
  async allocateNext(tx: ResourceTx, subnet: Subnet, portId: string): Promise<string> {
    let a = await this.allocatorFor(tx, subnet);
    let rebuilt = false;
    for (let attempt = 0; attempt < 64; attempt++) {
      let ip: string;
      try {
        ip = a.allocateNext();
      } catch (e) {
        if (rebuilt) throw e;
        a = await this.rebuild(tx, subnet);
        rebuilt = true;
        continue;
      }
      if (await tx.claim(ipNs(subnet.id), ip, portId)) return ip;
      // Taken by someone the cache did not know about: it stays taken in the cache; pick again.
    }
    throw new Conflict(`No more IP addresses available on network ${subnet.networkId}.`, 'IpAddressGenerationFailure');
  }

  /** A requested address (validated against the subnet), claimed; 409 IpAddressAlreadyAllocated when held. */
  async allocateSpecific(tx: ResourceTx, subnet: Subnet, ip: string, portId: string, deviceOwner: string): Promise<string> {
    const a = await this.allocatorFor(tx, subnet);
    a.checkSpecific(ip, { deviceOwner });
    const canonical = canonicalIp(ip);
    if (!(await tx.claim(ipNs(subnet.id), canonical, portId))) {
      throw new Conflict(`IP address ${canonical} already allocated in subnet ${subnet.id}`, 'IpAddressAlreadyAllocated');
    }
    if (!a.isAllocated(canonical)) {
      try {
        a.allocateSpecific(canonical, { deviceOwner });
      } catch {
        this.forget(subnet.id);
      }
    }
    return canonical;
  }

  /** SLAAC / DHCPv6-stateless: the EUI-64 address of the MAC. */
  async allocateAuto(tx: ResourceTx, subnet: Subnet, mac: string, portId: string): Promise<string> {
    const ip = eui64Address(subnet.cidr, mac);
    if (!(await tx.claim(ipNs(subnet.id), ip, portId))) {
      throw new Conflict(`IP address ${ip} already allocated in subnet ${subnet.id}`, 'IpAddressAlreadyAllocated');
    }
    const c = this.cache.get(subnet.id);
    if (c && !c.allocator.isAllocated(ip)) {
      try {
        c.allocator.allocateSpecific(ip, { deviceOwner: 'network:router_interface' });
      } catch {
        this.forget(subnet.id);
      }
    }
    return ip;
  }

  async release(tx: ResourceTx, subnetId: string, ip: string): Promise<void> {
    await tx.release(ipNs(subnetId), ip);
    // Giving it back to the cache before commit is safe: if the delete rolls back, the claim still
    // exists and a later pick of this address simply loses the claim and picks again.
    this.cache.get(subnetId)?.allocator.release(ip);
  }

  async releasePort(tx: ResourceTx, _portId: string, port: Pick<PortData, 'fixedIps'>): Promise<void> {
    for (const f of port.fixedIps) await this.release(tx, f.subnetId, f.ipAddress);
  }

  /** Addresses in use on a subnet (from the claims, the truth). */
  async usedCount(tx: ResourceTx, subnetId: string): Promise<number> {
    return (await tx.listClaims(ipNs(subnetId))).length;
  }
}
