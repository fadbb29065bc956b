/**
 * A subnet's host_routes: each {destination: cidr, nexthop: ip} of the subnet's family, no
 * duplicates, at most `maxRoutes` (Neutron's max_subnet_host_routes, 20). Pure core.
 */
import { InvalidInput } from '../../errors.js';
import { type IpVersion, canonicalIp, describeCidrProblem, tryParseCidrLoose, tryParseIp, formatCidr } from '../ip/index.js';
import { invalidAttribute, invalidOperation } from './subnet-error.js';

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export const DEFAULT_MAX_HOST_ROUTES = 20;

function routeRepr(r: { destination: unknown; nexthop: unknown }): string {
  return `{'destination': '${String(r.destination)}', 'nexthop': '${String(r.nexthop)}'}`;
}

/** Validates and canonicalizes host routes, keeping the order given. */
export function validateHostRoutes(
  routes: readonly HostRoute[],
  ipVersion: IpVersion,
  options: { maxRoutes?: number; subnetId?: string } = {},
): HostRoute[] {
  if (!Array.isArray(routes)) throw invalidAttribute('host_routes', `Invalid data format for hostroute: '${String(routes)}'`);
  const max = options.maxRoutes ?? DEFAULT_MAX_HOST_ROUTES;
  if (routes.length > max) {
    throw new InvalidInput(
      `Unable to complete operation for ${options.subnetId ?? ''}. The number of host routes exceeds the limit ${max}.`,
      'HostRoutesExhausted',
    );
  }
  const out: HostRoute[] = [];
  const seen = new Set<string>();
  for (const route of routes) {
    if (route === null || typeof route !== 'object' || Object.keys(route).sort().join(',') !== 'destination,nexthop') {
      throw invalidAttribute('host_routes', `Invalid data format for hostroute: '${JSON.stringify(route)}'`);
    }
    const problem = describeCidrProblem(route.destination);
    if (problem !== null) throw invalidAttribute('host_routes', problem);
    const nexthop = tryParseIp(route.nexthop);
    if (nexthop === null) throw invalidAttribute('host_routes', `'${String(route.nexthop)}' is not a valid IP address`);
    const destination = tryParseCidrLoose(route.destination)!;
    if (nexthop.version !== ipVersion) {
      throw invalidOperation(`nexthop '${route.nexthop}' does not match the ip_version '${ipVersion}'`);
    }
    if (destination.version !== ipVersion) {
      throw invalidOperation(`destination '${route.destination}' does not match the ip_version '${ipVersion}'`);
    }
    const canon: HostRoute = { destination: formatCidr(destination), nexthop: canonicalIp(route.nexthop) };
    const key = `${canon.destination} ${canon.nexthop}`;
    if (seen.has(key)) throw invalidAttribute('host_routes', `Duplicate hostroute '${routeRepr(route)}'`);
    seen.add(key);
    out.push(canon);
  }
  return out;
}
