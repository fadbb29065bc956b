/**
 * Router gateways and interface bookkeeping shared by the router and floating IP use cases: setting
 * and clearing the gateway port on an external network, reading a router's interface ports, and
 * finding the router that joins a subnet to an external network. Pure core.
 */
import { Conflict, Forbidden, InvalidInput } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { DEVICE_OWNER, KIND, type FloatingIpData, type GatewayInfoData, type Port, type PortData, type Router, type RouterData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { type FixedIpRequest, type PortEnv, insertPort, removePort } from './port-factory.js';
import { getNetworkVisible, hydrate } from './scope.js';

export interface GatewayInput {
  networkId: string;
  enableSnat?: boolean;
  externalFixedIps?: FixedIpRequest[];
}

export async function interfacePorts(tx: ResourceTx, router: Router): Promise<Port[]> {
  if (router.interfacePortIds.length === 0) return [];
  const rows = await tx.list<PortData>(KIND.port, { ids: router.interfacePortIds });
  return rows.map((r) => hydrate(r) as Port);
}

/** Sets (or replaces) the gateway: a network:router_gateway port on the external network. */
export async function setGateway(tx: ResourceTx, ctx: RequestContext, env: PortEnv, router: Router, gw: GatewayInput): Promise<Pick<RouterData, 'externalGatewayInfo' | 'gatewayPortId'>> {
  const network = await getNetworkVisible(tx, ctx, gw.networkId);
  if (!network.external) {
    throw new InvalidInput(`Bad router request: Network ${gw.networkId} is not an external network.`, 'BadRequest');
  }
  if (!ctx.isAdmin && gw.enableSnat !== undefined) {
    throw new Forbidden('rule:update_router:external_gateway_info:enable_snat is disallowed by policy', 'PolicyNotAuthorized');
  }
  if (!ctx.isAdmin && gw.externalFixedIps !== undefined && gw.externalFixedIps.some((f) => f.ipAddress !== undefined)) {
    throw new Forbidden('rule:update_router:external_gateway_info:external_fixed_ips is disallowed by policy', 'PolicyNotAuthorized');
  }
  const current = router.externalGatewayInfo;
  const sameNet = current !== null && current.networkId === gw.networkId;
  if (sameNet && gw.externalFixedIps === undefined && router.gatewayPortId) {
    return { externalGatewayInfo: { ...current, enableSnat: gw.enableSnat ?? current.enableSnat }, gatewayPortId: router.gatewayPortId };
  }
  await clearGatewayPort(tx, env, router);
  const port = await insertPort(tx, env, network, {
    projectId: '',
    deviceOwner: DEVICE_OWNER.routerGateway,
    deviceId: router.id,
    portSecurityEnabled: false,
    fixedIpRequests: gw.externalFixedIps && gw.externalFixedIps.length > 0 ? gw.externalFixedIps : undefined,
  });
  const info: GatewayInfoData = { networkId: gw.networkId, enableSnat: gw.enableSnat ?? current?.enableSnat ?? true, externalFixedIps: port.fixedIps };
  return { externalGatewayInfo: info, gatewayPortId: port.id };
}

export async function clearGatewayPort(tx: ResourceTx, env: PortEnv, router: Router): Promise<void> {
  if (!router.gatewayPortId) return;
  const row = await tx.get<PortData>(KIND.port, router.gatewayPortId);
  if (row) await removePort(tx, env, hydrate(row) as Port);
}

/** Clearing a gateway that floating IPs route through is refused, as in Neutron. */
export async function assertGatewayNotUsedByFloatingIps(tx: ResourceTx, router: Router): Promise<void> {
  if (!router.externalGatewayInfo) return;
  const fips = await tx.list<FloatingIpData>(KIND.floatingIp);
  if (fips.some((f) => f.data.routerId === router.id)) {
    throw new Conflict(
      `Gateway cannot be updated for router ${router.id}, since a gateway to external network ${router.externalGatewayInfo.networkId} is required by one or more floating IPs.`,
      'RouterExternalGatewayInUseByFloatingIp',
    );
  }
}

/** The router with a gateway on `externalNetworkId` and an interface on `subnetId`, if any. */
export async function routerJoining(tx: ResourceTx, subnetId: string, externalNetworkId: string): Promise<Router | undefined> {
  for (const row of await tx.list<RouterData>(KIND.router)) {
    const r = hydrate(row) as Router;
    if (r.externalGatewayInfo?.networkId !== externalNetworkId) continue;
    const ports = await interfacePorts(tx, r);
    if (ports.some((p) => p.fixedIps.some((f) => f.subnetId === subnetId))) return r;
  }
  return undefined;
}
