/**
 * Routers: create/update/delete with an external gateway, interfaces added and removed by subnet or
 * port (network:router_interface ports), and extra routes whose next hop must sit on an interface
 * subnet. Overlapping interface subnets are refused (400), deleting what is in use is 409.
 * Pure core.
 */
import { Conflict, InUse, InvalidInput, NotFound } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import { DEVICE_OWNER, KIND, type FloatingIpData, type HostRouteData, type Port, type PortData, type Router, type RouterData, type Subnet, type SubnetData } from '../../model/network.js';
import type { ResourceTx } from '../../ports/resource-store.js';
import { cidrContains, cidrsOverlap, formatCidr, parseCidrLoose, tryParseCidrLoose, tryParseIp } from '../ip/index.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import { type PortEnv, insertPort, removePort } from './port-factory.js';
import { checkQuota } from './quota.js';
import { type GatewayInput, assertGatewayNotUsedByFloatingIps, clearGatewayPort, interfacePorts, setGateway } from './router-gateway.js';
import { dataOf, getNetworkVisible, getOwned, hydrate, notFound, owns, resolveProject } from './scope.js';

export interface RouterInput {
  name?: string;
  description?: string;
  adminStateUp?: boolean;
  externalGatewayInfo?: GatewayInput | null;
  routes?: HostRouteData[];
  distributed?: boolean;
  ha?: boolean;
  availabilityZoneHints?: string[];
  projectId?: string;
  tenantId?: string;
  tags?: string[];
}

export interface InterfaceInfo {
  id: string;
  projectId: string;
  subnetId: string;
  subnetIds: string[];
  portId: string;
  networkId: string;
}

const MAX_ROUTES = 30;

export class RouterService {
  constructor(
    private readonly deps: NetworkDeps,
    private readonly env: PortEnv,
  ) {}

  async createMany(ctx: RequestContext, inputs: RouterInput[]): Promise<Router[]> {
    return this.deps.store.transaction(async (tx) => {
      const out: Router[] = [];
      for (const input of inputs) {
        const projectId = resolveProject(ctx, 'router', input);
        authorizeNetwork(ctx, 'create_router', { projectId });
        await checkQuota(tx, this.deps, projectId, 'router');
        const id = this.deps.uuid();
        const data: RouterData = {
          name: input.name ?? '',
          description: input.description ?? '',
          adminStateUp: input.adminStateUp ?? true,
          status: 'ACTIVE',
          externalGatewayInfo: null,
          gatewayPortId: null,
          interfacePortIds: [],
          routes: [],
          distributed: input.distributed ?? false,
          ha: input.ha ?? false,
          availabilityZoneHints: input.availabilityZoneHints ?? [],
          tags: input.tags ?? [],
        };
        let router = hydrate(await tx.insert(KIND.router, { id, projectId, data })) as Router;
        if (input.externalGatewayInfo) {
          const gw = await setGateway(tx, ctx, this.env, router, input.externalGatewayInfo);
          router = hydrate(await tx.update(KIND.router, id, { ...data, ...gw })) as Router;
        }
        await tx.recordChange(KIND.router, id, 'create');
        out.push(router);
      }
      return out;
    });
  }

  get(ctx: RequestContext, id: string): Promise<Router> {
    authorizeNetwork(ctx, 'get_router', { projectId: ctx.projectId });
    return getOwned<RouterData>(this.deps.store, ctx, KIND.router, id) as Promise<Router>;
  }

  async list(ctx: RequestContext): Promise<Router[]> {
    const rows = ctx.isAdmin ? await this.deps.store.list<RouterData>(KIND.router) : await this.deps.store.list<RouterData>(KIND.router, { projectId: ctx.projectId ?? '' });
    return rows.map((r) => hydrate(r) as Router);
  }

  async update(ctx: RequestContext, id: string, changes: RouterInput, ifMatch?: number): Promise<Router> {
    return this.deps.store.transaction(async (tx) => {
      const router = (await getOwned<RouterData>(tx, ctx, KIND.router, id, true)) as Router;
      authorizeNetwork(ctx, 'update_router', { projectId: router.projectId });
      let data: RouterData = { ...dataOf(router) };
      for (const k of ['name', 'description', 'adminStateUp', 'availabilityZoneHints'] as const) {
        if (changes[k] !== undefined) (data as unknown as Record<string, unknown>)[k] = changes[k];
      }
      for (const k of ['distributed', 'ha'] as const) {
        if (changes[k] !== undefined && changes[k] !== data[k]) {
          if (router.adminStateUp && data.adminStateUp) {
            throw new Conflict('Cannot upgrade active router to distributed. Please set router admin_state_up to False prior to upgrade', 'BadRequest');
          }
          data[k] = changes[k]!;
        }
      }
      if (changes.externalGatewayInfo !== undefined) {
        const gw = changes.externalGatewayInfo;
        if (gw === null || gw.networkId === undefined) {
          await assertGatewayNotUsedByFloatingIps(tx, router);
          await clearGatewayPort(tx, this.env, router);
          data = { ...data, externalGatewayInfo: null, gatewayPortId: null };
        } else {
          if (router.externalGatewayInfo && router.externalGatewayInfo.networkId !== gw.networkId) await assertGatewayNotUsedByFloatingIps(tx, router);
          data = { ...data, ...(await setGateway(tx, ctx, this.env, router, gw)) };
        }
      }
      if (changes.routes !== undefined) data.routes = await this.validateRoutes(tx, router, changes.routes);
      const row = await tx.update(KIND.router, id, data, { expectRevision: ifMatch });
      await tx.recordChange(KIND.router, id, 'update');
      return hydrate(row) as Router;
    });
  }

  /** Each next hop must sit on one of the router's interface subnets (Neutron's InvalidRoutes). */
  private async validateRoutes(tx: ResourceTx, router: Router, routes: HostRouteData[]): Promise<HostRouteData[]> {
    if (routes.length > MAX_ROUTES) {
      throw new InvalidInput(`Number of routes exceeds the maximum ${MAX_ROUTES}`, 'RoutesExhausted');
    }
    const ports = await interfacePorts(tx, router);
    const subnetIds = [...new Set(ports.flatMap((p) => p.fixedIps.map((f) => f.subnetId)))];
    const subnets = (await tx.list<SubnetData>(KIND.subnet, { ids: subnetIds })).map((s) => parseCidrLoose(s.data.cidr));
    const own = new Set(ports.flatMap((p) => p.fixedIps.map((f) => f.ipAddress)));
    const out: HostRouteData[] = [];
    const seen = new Set<string>();
    for (const r of routes) {
      const dest = tryParseCidrLoose(r.destination);
      const hop = tryParseIp(r.nexthop);
      const bad = (why: string) => new InvalidInput(`Invalid format for routes: [{'destination': '${r.destination}', 'nexthop': '${r.nexthop}'}], ${why}.`, 'InvalidRoutes');
      if (!dest || !hop) throw bad('the destination or nexthop is invalid');
      if (dest.version !== hop.version) throw bad('the nexthop is not of the destination IP family');
      if (!subnets.some((c) => cidrContains(c, hop))) throw bad('the nexthop is not connected with router');
      if (own.has(r.nexthop)) throw bad('the nexthop is used by router');
      const route = { destination: formatCidr(dest), nexthop: r.nexthop };
      const key = `${route.destination}|${route.nexthop}`;
      if (!seen.has(key)) out.push(route);
      seen.add(key);
    }
    return out;
  }

  async changeExtraRoutes(ctx: RequestContext, id: string, routes: HostRouteData[], op: 'add' | 'remove'): Promise<Router> {
    return this.deps.store.transaction(async (tx) => {
      const router = (await getOwned<RouterData>(tx, ctx, KIND.router, id, true)) as Router;
      authorizeNetwork(ctx, 'update_router', { projectId: router.projectId });
      const key = (r: HostRouteData) => `${tryParseCidrLoose(r.destination) ? formatCidr(tryParseCidrLoose(r.destination)!) : r.destination}|${r.nexthop}`;
      let next: HostRouteData[];
      if (op === 'add') next = await this.validateRoutes(tx, router, [...router.routes, ...routes]);
      else {
        const drop = new Set(routes.map(key));
        next = router.routes.filter((r) => !drop.has(key(r)));
      }
      const row = await tx.update(KIND.router, id, { ...dataOf(router), routes: next });
      await tx.recordChange(KIND.router, id, 'update');
      return hydrate(row) as Router;
    });
  }

  async delete(ctx: RequestContext, id: string, ifMatch?: number): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const router = (await getOwned<RouterData>(tx, ctx, KIND.router, id, true)) as Router;
      authorizeNetwork(ctx, 'delete_router', { projectId: router.projectId });
      if (ifMatch !== undefined && ifMatch !== router.revisionNumber) await tx.update(KIND.router, id, dataOf(router), { expectRevision: ifMatch });
      if (router.interfacePortIds.length > 0) throw new InUse(`Router ${id} still has ports`, 'RouterInUse');
      await assertGatewayNotUsedByFloatingIps(tx, router);
      await clearGatewayPort(tx, this.env, router);
      await tx.delete(KIND.router, id);
      await tx.recordChange(KIND.router, id, 'delete');
    });
  }

  // ---- interfaces -------------------------------------------------------------------------------

  async addInterface(ctx: RequestContext, id: string, body: { subnetId?: string; portId?: string }): Promise<InterfaceInfo> {
    if (body.subnetId === undefined && body.portId === undefined) {
      throw new InvalidInput('Bad router request: Either subnet_id or port_id must be specified.', 'BadRequest');
    }
    if (body.subnetId !== undefined && body.portId !== undefined) {
      throw new InvalidInput('Bad router request: Cannot specify both subnet-id and port-id.', 'BadRequest');
    }
    return this.deps.store.transaction(async (tx) => {
      const router = (await getOwned<RouterData>(tx, ctx, KIND.router, id, true)) as Router;
      authorizeNetwork(ctx, 'add_router_interface', { projectId: router.projectId });
      const existing = await interfacePorts(tx, router);
      let port: Port;
      if (body.portId !== undefined) {
        port = await this.adoptPort(tx, ctx, router, body.portId, existing);
      } else {
        const subnet = await this.visibleSubnet(tx, ctx, body.subnetId!);
        if (subnet.gatewayIp === null) {
          throw new InvalidInput('Bad router request: Subnet for router interface must have a gateway IP.', 'BadRequest');
        }
        if (existing.some((p) => p.fixedIps.some((f) => f.subnetId === subnet.id))) {
          throw new InvalidInput(`Bad router request: Router already has a port on subnet ${subnet.id}.`, 'BadRequest');
        }
        await this.assertNoOverlap(tx, router, [subnet.id], existing);
        const network = await getNetworkVisible(tx, { ...ctx, isAdmin: true }, subnet.networkId);
        port = await insertPort(tx, this.env, network, {
          projectId: router.projectId,
          deviceOwner: DEVICE_OWNER.routerInterface,
          deviceId: router.id,
          portSecurityEnabled: false,
          fixedIpRequests: [{ subnetId: subnet.id, ipAddress: subnet.gatewayIp }],
        });
      }
      await tx.update(KIND.router, id, { ...dataOf(router), interfacePortIds: [...router.interfacePortIds, port.id] });
      await tx.recordChange(KIND.router, id, 'update');
      const subnetIds = port.fixedIps.map((f) => f.subnetId);
      return { id, projectId: router.projectId, subnetId: subnetIds[0] ?? '', subnetIds, portId: port.id, networkId: port.networkId };
    });
  }

  private async visibleSubnet(tx: ResourceTx, ctx: RequestContext, subnetId: string): Promise<Subnet> {
    const row = await tx.get<SubnetData>(KIND.subnet, subnetId);
    if (!row) throw notFound(KIND.subnet, subnetId);
    const s = hydrate(row) as Subnet;
    if (!(ctx.isAdmin || owns(ctx, s.projectId))) {
      await getNetworkVisible(tx, ctx, s.networkId).catch(() => {
        throw notFound(KIND.subnet, subnetId);
      });
    }
    return s;
  }

  private async adoptPort(tx: ResourceTx, ctx: RequestContext, router: Router, portId: string, existing: Port[]): Promise<Port> {
    const row = await tx.getForUpdate<PortData>(KIND.port, portId);
    if (!row || !(ctx.isAdmin || owns(ctx, row.projectId))) throw notFound(KIND.port, portId);
    const port = hydrate(row) as Port;
    if (port.deviceId !== '' || (port.deviceOwner !== '' && port.deviceOwner !== DEVICE_OWNER.routerInterface)) {
      throw new InUse(`Unable to complete operation on port ${portId} for network ${port.networkId}. Port already has an attached device ${port.deviceId}.`, 'PortInUse');
    }
    if (port.fixedIps.length === 0) throw new InvalidInput('Bad router request: Router port must have at least one fixed IP.', 'BadRequest');
    const subnetIds = port.fixedIps.map((f) => f.subnetId);
    for (const p of existing) {
      if (p.fixedIps.some((f) => subnetIds.includes(f.subnetId))) {
        throw new InvalidInput(`Bad router request: Router already has a port on subnet ${p.fixedIps[0]!.subnetId}.`, 'BadRequest');
      }
    }
    await this.assertNoOverlap(tx, router, subnetIds, existing);
    const data: PortData = { ...dataOf(port), deviceId: router.id, deviceOwner: DEVICE_OWNER.routerInterface };
    const updated = hydrate(await tx.update(KIND.port, portId, data)) as Port;
    await tx.recordChange(KIND.port, portId, 'update');
    return updated;
  }

  private async assertNoOverlap(tx: ResourceTx, router: Router, newSubnetIds: string[], existing: Port[]): Promise<void> {
    const oldIds = [...new Set(existing.flatMap((p) => p.fixedIps.map((f) => f.subnetId)))];
    const rows = await tx.list<SubnetData>(KIND.subnet, { ids: [...oldIds, ...newSubnetIds] });
    const byId = new Map(rows.map((r) => [r.id, r.data.cidr]));
    for (const n of newSubnetIds) {
      const nc = parseCidrLoose(byId.get(n)!);
      for (const o of oldIds) {
        const oc = parseCidrLoose(byId.get(o)!);
        if (cidrsOverlap(nc, oc)) {
          throw new InvalidInput(
            `Bad router request: Cidr ${byId.get(n)} of subnet ${n} overlaps with cidr ${byId.get(o)} of subnet ${o}.`,
            'BadRequest',
          );
        }
      }
    }
    void router;
  }

  async removeInterface(ctx: RequestContext, id: string, body: { subnetId?: string; portId?: string }): Promise<InterfaceInfo> {
    if (body.subnetId === undefined && body.portId === undefined) {
      throw new InvalidInput('Bad router request: Either subnet_id or port_id must be specified.', 'BadRequest');
    }
    return this.deps.store.transaction(async (tx) => {
      const router = (await getOwned<RouterData>(tx, ctx, KIND.router, id, true)) as Router;
      authorizeNetwork(ctx, 'remove_router_interface', { projectId: router.projectId });
      const ports = await interfacePorts(tx, router);
      let port: Port | undefined;
      if (body.portId !== undefined) {
        port = ports.find((p) => p.id === body.portId);
        if (!port) throw new NotFound(`Router ${id} does not have an interface with id ${body.portId}`, 'RouterInterfaceNotFound');
        if (body.subnetId !== undefined && !port.fixedIps.some((f) => f.subnetId === body.subnetId)) {
          throw new Conflict(`Subnet ${body.subnetId} is not associated with port ${body.portId}.`, 'SubnetMismatchForPort');
        }
      } else {
        port = ports.find((p) => p.fixedIps.some((f) => f.subnetId === body.subnetId));
        if (!port) {
          if (!(await tx.get(KIND.subnet, body.subnetId!))) throw notFound(KIND.subnet, body.subnetId!);
          throw new NotFound(`Router ${id} has no interface on subnet ${body.subnetId}`, 'RouterInterfaceNotFoundForSubnet');
        }
      }
      const subnetIds = port.fixedIps.map((f) => f.subnetId);
      await this.assertInterfaceUnused(tx, router, port, subnetIds);
      await removePort(tx, this.env, port);
      await tx.update(KIND.router, id, { ...dataOf(router), interfacePortIds: router.interfacePortIds.filter((p) => p !== port!.id) });
      await tx.recordChange(KIND.router, id, 'update');
      return { id, projectId: router.projectId, subnetId: subnetIds[0] ?? '', subnetIds, portId: port.id, networkId: port.networkId };
    });
  }

  private async assertInterfaceUnused(tx: ResourceTx, router: Router, port: Port, subnetIds: string[]): Promise<void> {
    const cidrs = (await tx.list<SubnetData>(KIND.subnet, { ids: subnetIds })).map((s) => parseCidrLoose(s.data.cidr));
    for (const r of router.routes) {
      const hop = tryParseIp(r.nexthop);
      if (hop && cidrs.some((c) => cidrContains(c, hop))) {
        throw new Conflict(
          `Router interface for subnet ${subnetIds[0]} on router ${router.id} cannot be deleted, as it is required by one or more routes.`,
          'RouterInterfaceInUseByRoute',
        );
      }
    }
    const fips = await tx.list<FloatingIpData>(KIND.floatingIp);
    for (const f of fips) {
      if (f.data.routerId !== router.id || !f.data.fixedIpAddress) continue;
      const ip = tryParseIp(f.data.fixedIpAddress);
      if (ip && cidrs.some((c) => cidrContains(c, ip))) {
        throw new Conflict(
          `Router interface for subnet ${subnetIds[0]} on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`,
          'RouterInterfaceInUseByFloatingIP',
        );
      }
    }
    void port;
  }
}
