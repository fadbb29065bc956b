// Generates the benchmark topology: projects with overlapping CIDRs, routers with gateways and
// floating IPs, default/web/db groups with remote-group rules, ports spread over compute hosts.
// Bench code: may import anything under src/.
import type { TopologySketch, VmSketch } from '../../src/core/network/topology/sketch.js';

export interface BenchShape {
  projects: number;
  networksPerProject: number;
  vmsPerNetwork: number;
  routersPerProject: number;
  computeHosts: number;
  /** one floating IP every N VMs */
  floatingEvery: number;
}

export const DEFAULT_SHAPE: BenchShape = {
  projects: 50,
  networksPerProject: 10,
  vmsPerNetwork: 20,
  routersPerProject: 2,
  computeHosts: 20,
  floatingEvery: 10,
};

export function benchSketch(s: BenchShape = DEFAULT_SHAPE): TopologySketch {
  const sk: Required<Pick<TopologySketch, 'networks' | 'securityGroups' | 'vms' | 'routers' | 'floatingIps'>> & { generation: number } = {
    generation: 1,
    networks: [{ id: 'ext', project: 'admin', external: true, subnets: [{ id: 'ext-v4', cidr: '100.64.0.0/16' }] }],
    securityGroups: [],
    vms: [],
    routers: [],
    floatingIps: [],
  };
  let gwIndex = 10;
  let fipIndex = 0;
  let vmIndex = 0;
  for (let p = 0; p < s.projects; p++) {
    const project = `p${p}`;
    sk.securityGroups.push(
      { id: `default-${project}`, project, defaultRules: true },
      { id: `web-${project}`, project, rules: [{ id: `web-http-${project}`, dir: 'ingress', proto: 'tcp', ports: 80, cidr: '0.0.0.0/0' }, { id: `web-out-${project}`, dir: 'egress' }] },
      { id: `db-${project}`, project, rules: [{ id: `db-pg-${project}`, dir: 'ingress', proto: 'tcp', ports: 5432, remoteGroup: `web-${project}` }, { id: `db-out-${project}`, dir: 'egress' }] },
    );
    const nets: string[] = [];
    for (let n = 0; n < s.networksPerProject; n++) {
      const id = `${project}-net${n}`;
      nets.push(id);
      // Every project reuses the same CIDRs: overlap is the normal case.
      sk.networks.push({ id, project, subnets: [{ id: `${id}-sub`, cidr: `10.0.${n}.0/24` }] });
      for (let v = 0; v < s.vmsPerNetwork; v++) {
        const groups = v % 4 === 0 ? [`web-${project}`] : v % 4 === 1 ? [`db-${project}`] : [`default-${project}`];
        const vm: VmSketch = {
          id: `${id}-vm${v}`,
          network: id,
          project,
          ips: [`10.0.${n}.${v + 10}`],
          securityGroups: groups,
          host: `compute-${vmIndex % s.computeHosts}`,
          listen: ['tcp/22', 'tcp/80', 'tcp/5432'],
        };
        sk.vms.push(vm);
        vmIndex++;
        if (vmIndex % s.floatingEvery === 0) {
          fipIndex++;
          sk.floatingIps.push({ id: `fip${fipIndex}`, ip: `100.64.${100 + Math.floor(fipIndex / 250)}.${(fipIndex % 250) + 1}`, network: 'ext', port: vm.id });
        }
      }
    }
    const perRouter = Math.ceil(nets.length / s.routersPerProject);
    for (let r = 0; r < s.routersPerProject; r++) {
      const id = `${project}-r${r}`;
      const mine = nets.slice(r * perRouter, (r + 1) * perRouter);
      gwIndex++;
      sk.routers.push({
        id,
        project,
        interfaces: mine.map((n) => `${n}-sub`),
        gateway: { network: 'ext', ips: [`100.64.${Math.floor(gwIndex / 250)}.${(gwIndex % 250) + 1}`] },
        routes: [{ destination: '192.168.0.0/16', nexthop: `10.0.${r * perRouter}.10` }],
      });
    }
  }
  return sk;
}
