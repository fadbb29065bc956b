/**
 * Scenario table, part 3: routing corners. DHCP host routes, subnets without a gateway, two routers
 * chained by extra routes, overlay types and their overhead. Pure data. Driver layer (contract).
 */

import type { Scenario } from './scenario.js';
import { NET1, NET2 } from './scenarios-forwarding.js';

export const routingScenarios: Scenario[] = [
  {
    name: 'DHCP host routes steer the instance to an appliance',
    covers: ['host-route', 'dhcp', 'allowed-address-pair'],
    topology: {
      networks: [{ id: 'net1', subnets: [{ id: 'sub1', cidr: '10.0.0.0/24', hostRoutes: [{ destination: '172.16.0.0/16', nexthop: '10.0.0.50' }] }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'appl', network: 'net1', ips: ['10.0.0.50'], extraAddresses: ['172.16.0.9'], pairs: [{ ip: '172.16.0.0/16' }] },
      ],
    },
    probes: [
      {
        name: 'a pings 172.16.0.9 through the appliance',
        probe: { from: { portId: 'a' }, to: { ip: '172.16.0.9' }, protocol: 'icmp' },
        expect: { verdict: 'delivered', hops: [{ step: 'route', node: 'a', detail: 'next hop 10.0.0.50 (host route)' }, { step: 'port_in', node: 'appl' }] },
      },
      {
        name: 'the offer carries the host route',
        probe: { from: { portId: 'a' }, to: { portId: 'a' }, protocol: 'dhcp' },
        expect: { verdict: 'delivered', dhcpOffer: { hostRoutes: [{ destination: '172.16.0.0/16', nexthop: '10.0.0.50' }] } },
      },
    ],
  },
  {
    name: 'a subnet without a gateway is on-link only',
    covers: ['no-route', 'no-gateway'],
    topology: {
      networks: [{ id: 'iso', subnets: [{ id: 'iso-sub', cidr: '10.8.0.0/24', gateway: null }] }],
      vms: [
        { id: 'a', network: 'iso', ips: ['10.8.0.5'] },
        { id: 'b', network: 'iso', ips: ['10.8.0.6'] },
      ],
    },
    probes: [
      { name: 'neighbours still talk', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp' }, expect: { verdict: 'delivered' } },
      { name: 'nothing beyond', probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'icmp' }, expect: { verdict: 'no_route', hops: [{ step: 'route', node: 'a', ok: false }] } },
      { name: 'the offer has no router', probe: { from: { portId: 'a' }, to: { portId: 'a' }, protocol: 'dhcp' }, expect: { verdict: 'delivered', dhcpOffer: { gatewayIp: null } } },
    ],
  },
  {
    name: 'two routers chained by extra routes over a transit network',
    covers: ['extra-route', 'router', 'ttl-decrement'],
    topology: {
      networks: [NET1, NET2, { id: 'transit', subnets: [{ id: 'transit-sub', cidr: '192.0.2.0/29', gateway: null }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'c', network: 'net2', ips: ['10.1.0.5'] },
      ],
      routers: [
        { id: 'r1', interfaces: ['sub1', { subnet: 'transit-sub', ip: '192.0.2.1' }], routes: [{ destination: '10.1.0.0/24', nexthop: '192.0.2.2' }] },
        { id: 'r2', interfaces: ['sub2', { subnet: 'transit-sub', ip: '192.0.2.2' }], routes: [{ destination: '10.0.0.0/24', nexthop: '192.0.2.1' }] },
      ],
    },
    probes: [
      {
        name: 'a pings c through r1 then r2',
        probe: { from: { portId: 'a' }, to: { portId: 'c' }, protocol: 'icmp' },
        expect: {
          verdict: 'delivered',
          hops: [
            { step: 'route', node: 'r1', detail: '10.1.0.0/24 via 192.0.2.2 (extra)' },
            { step: 'neighbor', node: 'transit', detail: 'port r2-if-transit-sub' },
            { step: 'route', node: 'r2', detail: 'TTL 63→62' },
            { step: 'port_in', node: 'c' },
          ],
          replyHops: [{ step: 'router', node: 'r2' }, { step: 'router', node: 'r1' }, { step: 'port_in', node: 'a' }],
        },
      },
      { name: 'ttl 2 dies at the second router', probe: { from: { portId: 'a' }, to: { portId: 'c' }, protocol: 'icmp', ttl: 2 }, expect: { verdict: 'ttl_exceeded', hops: [{ step: 'router', node: 'r2', ok: false }] } },
    ],
  },
  {
    name: 'overlay types cost different overhead',
    covers: ['mtu', 'overlay-overhead'],
    topology: {
      networks: [
        { id: 'gen', type: 'geneve', subnets: [{ id: 'gen-sub', cidr: '10.3.0.0/24' }] },
        { id: 'gre', type: 'gre', subnets: [{ id: 'gre-sub', cidr: '10.4.0.0/24' }] },
      ],
      vms: [
        { id: 'g1', network: 'gen', ips: ['10.3.0.5'] },
        { id: 'g2', network: 'gen', ips: ['10.3.0.6'] },
        { id: 'e1', network: 'gre', ips: ['10.4.0.5'] },
        { id: 'e2', network: 'gre', ips: ['10.4.0.6'] },
      ],
    },
    probes: [
      { name: 'GENEVE 1442 fits (MTU 1442)', probe: { from: { portId: 'g1' }, to: { portId: 'g2' }, protocol: 'icmp', sizeBytes: 1442 }, expect: { verdict: 'delivered' } },
      { name: 'GENEVE 1443 does not', probe: { from: { portId: 'g1' }, to: { portId: 'g2' }, protocol: 'icmp', sizeBytes: 1443 }, expect: { verdict: 'mtu_exceeded', hops: [{ step: 'mtu', detail: '58 bytes of overlay overhead' }] } },
      { name: 'GRE 1458 fits (MTU 1458)', probe: { from: { portId: 'e1' }, to: { portId: 'e2' }, protocol: 'icmp', sizeBytes: 1458 }, expect: { verdict: 'delivered' } },
      { name: 'GRE 1459 does not', probe: { from: { portId: 'e1' }, to: { portId: 'e2' }, protocol: 'icmp', sizeBytes: 1459 }, expect: { verdict: 'mtu_exceeded' } },
    ],
  },
];
