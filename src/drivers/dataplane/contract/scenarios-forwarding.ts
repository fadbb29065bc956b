/**
 * Scenario table, part 1: forwarding. L2 on one network, routing, NAT, the outside world, IPv6,
 * MTU, TTL, DHCP, tunnels, isolation. Pure data. Driver layer (contract).
 */

import type { NetworkSketch } from '../../../core/network/topology/sketch.js';
import type { Scenario } from './scenario.js';

export const EXT: NetworkSketch = { id: 'ext', external: true, subnets: [{ id: 'ext-v4', cidr: '203.0.113.0/24' }] };
export const NET1: NetworkSketch = { id: 'net1', subnets: [{ id: 'sub1', cidr: '10.0.0.0/24', dns: ['10.0.0.53'] }] };
export const NET2: NetworkSketch = { id: 'net2', subnets: [{ id: 'sub2', cidr: '10.1.0.0/24' }] };

export const forwardingScenarios: Scenario[] = [
  {
    name: 'same network: ping and a listening TCP port',
    covers: ['same-network', 'default-sg', 'arp', 'stateful-reply'],
    topology: {
      networks: [NET1],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'b', network: 'net1', ips: ['10.0.0.6'], listen: ['tcp/80'] },
      ],
    },
    portStatus: { a: 'ACTIVE', b: 'ACTIVE' },
    probes: [
      {
        name: 'a pings b',
        probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp' },
        expect: {
          verdict: 'delivered',
          hops: [
            { step: 'egress_acl', node: 'a', ruleId: 'default-p1-out4' },
            { step: 'neighbor', node: 'net1', detail: 'ARP who-has 10.0.0.6' },
            { step: 'ingress_acl', node: 'b', ruleId: 'default-p1-in4' },
            { step: 'port_in', node: 'b' },
          ],
          replyHops: [{ step: 'port_in', node: 'a' }],
        },
      },
      {
        name: 'a opens tcp/80 on b',
        probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'tcp', port: 80 },
        expect: { verdict: 'delivered', hops: [{ step: 'workload', node: 'b', detail: 'tcp/80 is listening' }] },
      },
    ],
  },
  {
    name: 'no listener: TCP reset and UDP port unreachable',
    covers: ['no-listener'],
    topology: {
      networks: [NET1],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'b', network: 'net1', ips: ['10.0.0.6'], listen: ['tcp/80'] },
      ],
    },
    probes: [
      { name: 'tcp/81', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'tcp', port: 81 }, expect: { verdict: 'no_listener', summary: 'TCP RST' } },
      { name: 'udp/53', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'udp', port: 53 }, expect: { verdict: 'no_listener', summary: 'port unreachable' } },
    ],
  },
  {
    name: 'nobody owns the address: no ARP reply',
    covers: ['no-arp-reply'],
    topology: { networks: [NET1], vms: [{ id: 'a', network: 'net1', ips: ['10.0.0.5'] }] },
    probes: [
      {
        name: 'a pings 10.0.0.99',
        probe: { from: { portId: 'a' }, to: { ip: '10.0.0.99' }, protocol: 'icmp' },
        expect: { verdict: 'no_arp_reply', hops: [{ step: 'neighbor', node: 'net1', ok: false }] },
      },
    ],
  },
  {
    name: 'across a router between two networks',
    covers: ['router', 'connected-route', 'ttl-decrement'],
    topology: {
      networks: [NET1, NET2],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'c', network: 'net2', ips: ['10.1.0.5'], listen: ['tcp/22'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1', 'sub2'] }],
    },
    probes: [
      {
        name: 'a reaches c tcp/22',
        probe: { from: { portId: 'a' }, to: { portId: 'c' }, protocol: 'tcp', port: 22 },
        expect: {
          verdict: 'delivered',
          hops: [
            { step: 'route', node: 'a', detail: 'next hop 10.0.0.1' },
            { step: 'router', node: 'r1' },
            { step: 'route', node: 'r1', detail: '10.1.0.0/24 (connected)' },
            { step: 'neighbor', node: 'net2', detail: '10.1.0.5' },
            { step: 'ingress_acl', node: 'c', ruleId: 'default-p1-in4' },
          ],
          replyHops: [{ step: 'router', node: 'r1' }, { step: 'port_in', node: 'a' }],
        },
      },
      { name: 'a pings the router interface', probe: { from: { portId: 'a' }, to: { ip: '10.0.0.1' }, protocol: 'icmp' }, expect: { verdict: 'delivered', hops: [{ step: 'workload', node: 'r1' }] } },
    ],
  },
  {
    name: 'subnet not attached to the router',
    covers: ['no-route', 'router'],
    topology: {
      networks: [NET1, NET2, { id: 'net3', subnets: [{ id: 'sub3', cidr: '10.2.0.0/24' }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'd', network: 'net3', ips: ['10.2.0.5'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1', 'sub2'] }],
    },
    probes: [
      {
        name: 'a to d',
        probe: { from: { portId: 'a' }, to: { portId: 'd' }, protocol: 'icmp' },
        expect: { verdict: 'no_route', hops: [{ step: 'router', node: 'r1' }, { step: 'route', node: 'r1', ok: false, detail: 'no route to 10.2.0.5' }] },
      },
      {
        name: 'd has a gateway address nobody holds',
        probe: { from: { portId: 'd' }, to: { portId: 'a' }, protocol: 'icmp' },
        expect: { verdict: 'no_arp_reply', hops: [{ step: 'neighbor', node: 'net3', ok: false, detail: '10.2.0.1' }] },
      },
    ],
  },
  {
    name: 'router without an external gateway has no default route',
    covers: ['no-route'],
    topology: { networks: [NET1], vms: [{ id: 'a', network: 'net1', ips: ['10.0.0.5'] }], routers: [{ id: 'r1', interfaces: ['sub1'] }] },
    probes: [
      { name: 'a to the internet', probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'icmp' }, expect: { verdict: 'no_route', summary: 'no external gateway' } },
    ],
  },
  {
    name: 'SNAT to the outside world through the router gateway',
    covers: ['snat', 'outside', 'default-route'],
    topology: {
      networks: [NET1, EXT],
      vms: [{ id: 'a', network: 'net1', ips: ['10.0.0.5'] }],
      routers: [{ id: 'r1', interfaces: ['sub1'], gateway: { network: 'ext', ips: ['203.0.113.10'] } }],
    },
    probes: [
      {
        name: 'a pings 8.8.8.8',
        probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'icmp' },
        expect: {
          verdict: 'delivered',
          hops: [
            { step: 'route', node: 'r1', detail: '0.0.0.0/0 via 203.0.113.1 (default)' },
            { step: 'nat', node: 'r1', nat: 'snat', detail: '10.0.0.5 → 203.0.113.10' },
            { step: 'outside', node: 'outside:ext' },
          ],
          replyHops: [{ step: 'nat', node: 'r1', nat: 'dnat', detail: 'un-SNAT' }, { step: 'port_in', node: 'a' }],
        },
      },
      { name: 'a opens tcp/443 outside', probe: { from: { portId: 'a' }, to: { outside: 'ext' }, protocol: 'tcp', port: 443 }, expect: { verdict: 'delivered' } },
      {
        name: 'a private address beyond the gateway is lost upstream',
        probe: { from: { portId: 'a' }, to: { ip: '10.99.0.5' }, protocol: 'icmp' },
        expect: { verdict: 'no_route', hops: [{ step: 'route', node: 'r1', detail: '(default)' }, { step: 'outside', ok: false, detail: 'private address 10.99.0.5' }] },
      },
    ],
  },
  {
    name: 'enable_snat=false: private addresses cannot come back',
    covers: ['snat', 'outside'],
    topology: {
      networks: [NET1, EXT],
      vms: [{ id: 'a', network: 'net1', ips: ['10.0.0.5'] }],
      routers: [{ id: 'r1', interfaces: ['sub1'], gateway: { network: 'ext', ips: ['203.0.113.10'], snat: false } }],
    },
    probes: [
      {
        name: 'a pings 8.8.8.8',
        probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'icmp' },
        expect: { verdict: 'reply_dropped', hops: [{ step: 'nat', node: 'r1', detail: 'no SNAT' }], replyHops: [{ step: 'outside', ok: false, detail: 'no route to 10.0.0.5' }] },
      },
    ],
  },
  {
    name: 'floating IP reached from outside',
    covers: ['floating-ip', 'dnat', 'ingress-cidr'],
    topology: {
      networks: [NET1, EXT],
      securityGroups: [{ id: 'ssh', defaultRules: true, rules: [{ id: 'ssh-in', dir: 'ingress', proto: 'tcp', ports: 22, cidr: '0.0.0.0/0' }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'], securityGroups: ['ssh'], listen: ['tcp/22', 'tcp/80'] },
        { id: 'b', network: 'net1', ips: ['10.0.0.6'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1'], gateway: { network: 'ext', ips: ['203.0.113.10'] } }],
      floatingIps: [{ id: 'fip-a', ip: '203.0.113.20', network: 'ext', port: 'a' }],
    },
    probes: [
      {
        name: 'ssh to the floating IP',
        probe: { from: { outside: 'ext' }, to: { ip: '203.0.113.20' }, protocol: 'tcp', port: 22 },
        expect: {
          verdict: 'delivered',
          hops: [
            { step: 'neighbor', node: 'ext', detail: 'port r1-gw' },
            { step: 'nat', node: 'r1', nat: 'dnat', detail: '203.0.113.20 → 10.0.0.5' },
            { step: 'ingress_acl', node: 'a', ruleId: 'ssh-in' },
          ],
          replyHops: [{ step: 'nat', node: 'r1', nat: 'snat', detail: 'floating IP 203.0.113.20' }, { step: 'outside' }],
        },
      },
      {
        name: 'http to the floating IP is not allowed by any rule',
        probe: { from: { outside: 'ext' }, to: { ip: '203.0.113.20' }, protocol: 'tcp', port: 80 },
        expect: { verdict: 'dropped', hops: [{ step: 'ingress_acl', node: 'a', ok: false, detail: 'default drop: no rule of groups ssh allows tcp/80 from 198.51.100.10' }] },
      },
      {
        name: 'a goes out as its floating IP',
        probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'icmp' },
        expect: { verdict: 'delivered', hops: [{ step: 'nat', node: 'r1', nat: 'snat', detail: '10.0.0.5 → floating IP 203.0.113.20' }] },
      },
      {
        name: 'b without a floating IP is unreachable from outside',
        probe: { from: { outside: 'ext' }, to: { ip: '10.0.0.6' }, protocol: 'icmp' },
        expect: { verdict: 'no_route', hops: [{ step: 'outside', ok: false }] },
      },
    ],
  },
  {
    name: 'extra route to a prefix behind an instance',
    covers: ['extra-route', 'allowed-address-pair'],
    topology: {
      networks: [NET1, NET2],
      vms: [
        { id: 'vpn', network: 'net1', ips: ['10.0.0.50'], extraAddresses: ['192.168.50.7'], pairs: [{ ip: '192.168.50.0/24' }] },
        { id: 'vpn-nopair', network: 'net1', ips: ['10.0.0.60'], extraAddresses: ['192.168.60.7'] },
        { id: 'c', network: 'net2', ips: ['10.1.0.5'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1', 'sub2'], routes: [{ destination: '192.168.50.0/24', nexthop: '10.0.0.50' }, { destination: '192.168.60.0/24', nexthop: '10.0.0.60' }] }],
    },
    probes: [
      {
        name: 'c pings 192.168.50.7 via the extra route',
        probe: { from: { portId: 'c' }, to: { ip: '192.168.50.7' }, protocol: 'icmp' },
        expect: {
          verdict: 'delivered',
          hops: [{ step: 'route', node: 'r1', detail: '192.168.50.0/24 via 10.0.0.50 (extra)' }, { step: 'neighbor', node: 'net1', detail: '10.0.0.50' }, { step: 'port_in', node: 'vpn' }],
          replyHops: [{ step: 'anti_spoof', node: 'vpn', ok: true }],
        },
      },
      {
        name: 'without an allowed address pair the answer is spoofed',
        probe: { from: { portId: 'c' }, to: { ip: '192.168.60.7' }, protocol: 'icmp' },
        expect: { verdict: 'reply_dropped', replyHops: [{ step: 'anti_spoof', node: 'vpn-nopair', ok: false }] },
      },
    ],
  },
  {
    name: 'TTL is decremented by each router and expires',
    covers: ['ttl'],
    topology: {
      networks: [NET1, NET2],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'c', network: 'net2', ips: ['10.1.0.5'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1', 'sub2'] }],
    },
    probes: [
      { name: 'ttl 1 dies at the router', probe: { from: { portId: 'a' }, to: { portId: 'c' }, protocol: 'icmp', ttl: 1 }, expect: { verdict: 'ttl_exceeded', hops: [{ step: 'router', node: 'r1', ok: false, detail: 'TTL expired' }] } },
      { name: 'ttl 2 gets through', probe: { from: { portId: 'a' }, to: { portId: 'c' }, protocol: 'icmp', ttl: 2 }, expect: { verdict: 'delivered', hops: [{ step: 'route', node: 'r1', detail: 'TTL 2→1' }] } },
      { name: 'the router itself answers a TTL 1 ping', probe: { from: { portId: 'a' }, to: { ip: '10.0.0.1' }, protocol: 'icmp', ttl: 1 }, expect: { verdict: 'delivered', hops: [{ step: 'workload', node: 'r1' }] } },
    ],
  },
  {
    name: 'two projects with the same CIDR stay isolated',
    covers: ['isolation', 'overlapping-cidr'],
    topology: {
      networks: [
        { id: 'p1-net', project: 'p1', subnets: [{ id: 'p1-sub', cidr: '10.0.0.0/24' }] },
        { id: 'p2-net', project: 'p2', subnets: [{ id: 'p2-sub', cidr: '10.0.0.0/24' }] },
      ],
      vms: [
        { id: 'p1-a', network: 'p1-net', ips: ['10.0.0.5'] },
        { id: 'p2-x', network: 'p2-net', ips: ['10.0.0.6'] },
        { id: 'p2-y', network: 'p2-net', ips: ['10.0.0.5'] },
      ],
    },
    probes: [
      { name: 'p1-a cannot see p2-x', probe: { from: { portId: 'p1-a' }, to: { ip: '10.0.0.6' }, protocol: 'icmp' }, expect: { verdict: 'no_arp_reply' } },
      {
        name: 'p2-x reaches its own 10.0.0.5, not p1-a',
        probe: { from: { portId: 'p2-x' }, to: { ip: '10.0.0.5' }, protocol: 'icmp' },
        expect: { verdict: 'delivered', hops: [{ step: 'port_in', node: 'p2-y' }], replyHops: [{ step: 'port_in', node: 'p2-x' }] },
      },
      { name: 'an ambiguous source address is refused', probe: { from: { ip: '10.0.0.5' }, to: { ip: '10.0.0.6' }, protocol: 'icmp' }, expect: { verdict: 'invalid_probe' } },
    ],
  },
  {
    name: 'IPv6 on one network and routed without NAT',
    covers: ['ipv6', 'ndp', 'router'],
    topology: {
      networks: [
        { id: 'net6', subnets: [{ id: 'sub6', cidr: '2001:db8:1::/64' }] },
        { id: 'ext', external: true, subnets: [{ id: 'ext-v4', cidr: '203.0.113.0/24' }, { id: 'ext-v6', cidr: '2001:db8:ff::/64' }] },
      ],
      vms: [
        { id: 'a6', network: 'net6', ips: ['2001:db8:1::5'] },
        { id: 'b6', network: 'net6', ips: ['2001:db8:1::6'], listen: ['tcp/443'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub6'], gateway: { network: 'ext', ips: ['203.0.113.10', '2001:db8:ff::10'] } }],
    },
    probes: [
      {
        name: 'a6 pings b6',
        probe: { from: { portId: 'a6' }, to: { portId: 'b6' }, protocol: 'icmp', ipVersion: 6 },
        expect: { verdict: 'delivered', hops: [{ step: 'egress_acl', ruleId: 'default-p1-out6' }, { step: 'neighbor', detail: 'NDP neighbor solicitation for 2001:db8:1::6' }, { step: 'ingress_acl', ruleId: 'default-p1-in6' }] },
      },
      { name: 'a6 opens tcp/443 on b6', probe: { from: { portId: 'a6' }, to: { portId: 'b6' }, protocol: 'tcp', port: 443, ipVersion: 6 }, expect: { verdict: 'delivered' } },
      {
        name: 'a6 reaches the IPv6 internet, routed as is',
        probe: { from: { portId: 'a6' }, to: { ip: '2001:db8:ffff::10' }, protocol: 'icmp' },
        expect: { verdict: 'delivered', hops: [{ step: 'route', node: 'r1', detail: '::/0 via 2001:db8:ff::1' }, { step: 'nat', node: 'r1', detail: 'IPv6 is routed as is' }], replyHops: [{ step: 'outside', detail: 'towards 2001:db8:ff::10' }] },
      },
    ],
  },
  {
    name: 'MTU: overlay overhead and a smaller network behind a router',
    covers: ['mtu', 'overlay-overhead'],
    topology: {
      networks: [NET1, { id: 'small', type: 'vlan', segmentationId: 101, mtu: 1400, subnets: [{ id: 'small-sub', cidr: '10.5.0.0/24' }] }, { id: 'flatnet', type: 'flat', subnets: [{ id: 'flat-sub', cidr: '10.6.0.0/24' }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'b', network: 'net1', ips: ['10.0.0.6'] },
        { id: 's', network: 'small', ips: ['10.5.0.5'] },
        { id: 'f1', network: 'flatnet', ips: ['10.6.0.5'] },
        { id: 'f2', network: 'flatnet', ips: ['10.6.0.6'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1', 'small-sub'] }],
    },
    probes: [
      { name: '1500 bytes on VXLAN (MTU 1450)', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp', sizeBytes: 1500 }, expect: { verdict: 'mtu_exceeded', hops: [{ step: 'mtu', node: 'net1', detail: 'MTU 1450' }] } },
      { name: '1450 bytes on VXLAN fits', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp', sizeBytes: 1450 }, expect: { verdict: 'delivered' } },
      { name: '1500 bytes on a flat network fits', probe: { from: { portId: 'f1' }, to: { portId: 'f2' }, protocol: 'icmp', sizeBytes: 1500 }, expect: { verdict: 'delivered' } },
      { name: '1420 bytes into the 1400 network', probe: { from: { portId: 'a' }, to: { portId: 's' }, protocol: 'icmp', sizeBytes: 1420 }, expect: { verdict: 'mtu_exceeded', hops: [{ step: 'mtu', node: 'r1', detail: 'fragmentation-needed' }] } },
    ],
  },
  {
    name: 'DHCP offers the fixed IP with the subnet options',
    covers: ['dhcp'],
    topology: {
      networks: [NET1, { id: 'nodhcp', subnets: [{ id: 'nodhcp-sub', cidr: '10.9.0.0/24', dhcp: false }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'z', network: 'nodhcp', ips: ['10.9.0.5'] },
        { id: 'down', network: 'net1', ips: ['10.0.0.7'], adminUp: false },
      ],
    },
    probes: [
      {
        name: 'a asks for an address',
        probe: { from: { portId: 'a' }, to: { portId: 'a' }, protocol: 'dhcp' },
        expect: {
          verdict: 'delivered',
          hops: [{ step: 'dhcp', node: 'dhcp-net1', detail: 'DHCPOFFER 10.0.0.5/24' }],
          dhcpOffer: { ipAddress: '10.0.0.5', gatewayIp: '10.0.0.1', dnsNameservers: ['10.0.0.53'], mtu: 1450, serverIp: '10.0.0.2' },
        },
      },
      { name: 'no DHCP on the subnet', probe: { from: { portId: 'z' }, to: { portId: 'z' }, protocol: 'dhcp' }, expect: { verdict: 'no_dhcp_server' } },
      { name: 'an admin-down port asks nothing', probe: { from: { portId: 'down' }, to: { portId: 'down' }, protocol: 'dhcp' }, expect: { verdict: 'dropped', hops: [{ step: 'port_out', ok: false }] } },
    ],
  },
  {
    name: 'two hosts: the segment tunnels between them',
    covers: ['multi-host', 'tunnel'],
    topology: {
      networks: [NET1],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'], host: 'host-1' },
        { id: 'b', network: 'net1', ips: ['10.0.0.6'], host: 'host-2' },
      ],
    },
    portStatus: { a: 'ACTIVE', b: 'ACTIVE' },
    probes: [
      {
        name: 'a pings b across hosts',
        probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp' },
        expect: { verdict: 'delivered', hops: [{ step: 'tunnel', node: 'net1', detail: 'vxlan tunnel host-1 → host-2 (vxlan vni 1000)' }], replyHops: [{ step: 'tunnel', detail: 'host-2 → host-1' }] },
      },
      { name: 'DHCP from host-2 reaches the network host', probe: { from: { portId: 'b' }, to: { portId: 'b' }, protocol: 'dhcp' }, expect: { verdict: 'delivered', hops: [{ step: 'tunnel', detail: 'host-2 → local' }] } },
    ],
  },
];
