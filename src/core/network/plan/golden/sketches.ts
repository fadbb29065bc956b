/**
 * Inputs of the planner's golden tests: small topologies whose compiled specs are checked in next
 * to them (`*.golden.ts`). Pure data.
 */

import type { TopologySketch } from '../../topology/sketch.js';

export const oneNetworkSketch: TopologySketch = {
  generation: 3,
  networks: [{ id: 'net1', subnets: [{ id: 'sub1', cidr: '10.0.0.0/24', dns: ['10.0.0.53'] }] }],
  securityGroups: [{ id: 'web', rules: [{ id: 'http', dir: 'ingress', proto: 'tcp', ports: 80, cidr: '0.0.0.0/0' }, { id: 'ping', dir: 'ingress', proto: 'icmp', ports: [8, null] }] }],
  vms: [
    { id: 'a', network: 'net1', ips: ['10.0.0.5'], listen: ['tcp/22'] },
    { id: 'b', network: 'net1', ips: ['10.0.0.6'], securityGroups: ['default-p1', 'web'], pairs: [{ ip: '10.0.0.100' }] },
  ],
};

export const routedSketch: TopologySketch = {
  generation: 9,
  networks: [
    { id: 'net1', subnets: [{ id: 'sub1', cidr: '10.0.0.0/24' }, { id: 'sub1-v6', cidr: '2001:db8:1::/64' }] },
    { id: 'ext', external: true, subnets: [{ id: 'ext-v4', cidr: '203.0.113.0/24' }] },
  ],
  securityGroups: [{ id: 'default-p1', defaultRules: true }],
  vms: [{ id: 'a', network: 'net1', ips: ['10.0.0.5', '2001:db8:1::5'], host: 'host-2' }],
  routers: [
    {
      id: 'r1',
      interfaces: ['sub1', 'sub1-v6'],
      gateway: { network: 'ext', ips: ['203.0.113.10'] },
      routes: [{ destination: '192.168.0.0/16', nexthop: '10.0.0.50' }, { destination: '172.16.0.0/12', nexthop: '198.18.0.1' }],
    },
  ],
  floatingIps: [{ id: 'fip1', ip: '203.0.113.20', network: 'ext', port: 'a' }],
};
