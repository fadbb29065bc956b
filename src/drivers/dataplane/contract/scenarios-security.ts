/**
 * Scenario table, part 2: security. Default groups, rules by CIDR and by remote group, egress
 * restrictions, stateful and stateless groups, port security, anti-spoofing, allowed address pairs,
 * admin state. Pure data. Driver layer (contract).
 */

import type { Scenario } from './scenario.js';
import { EXT, NET1, NET2 } from './scenarios-forwarding.js';

export const securityScenarios: Scenario[] = [
  {
    name: 'default group: members talk, other groups are denied',
    covers: ['default-sg', 'remote-group'],
    topology: {
      networks: [NET1],
      securityGroups: [{ id: 'other', rules: [{ id: 'other-out', dir: 'egress' }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'b', network: 'net1', ips: ['10.0.0.6'], listen: ['tcp/22'] },
        { id: 'o', network: 'net1', ips: ['10.0.0.7'], securityGroups: ['other'] },
      ],
    },
    probes: [
      { name: 'a to b tcp/22', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'tcp', port: 22 }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', node: 'b', ruleId: 'default-p1-in4' }] } },
      {
        name: 'o (other group) to b',
        probe: { from: { portId: 'o' }, to: { portId: 'b' }, protocol: 'tcp', port: 22 },
        expect: { verdict: 'dropped', hops: [{ step: 'egress_acl', node: 'o', ruleId: 'other-out' }, { step: 'ingress_acl', node: 'b', ok: false, detail: 'default drop: no rule of groups default-p1 allows tcp/22 from 10.0.0.7' }] },
      },
      { name: 'a to o: o has no ingress rules', probe: { from: { portId: 'a' }, to: { portId: 'o' }, protocol: 'icmp' }, expect: { verdict: 'dropped', hops: [{ step: 'ingress_acl', node: 'o', ok: false, detail: 'groups other' }] } },
    ],
  },
  {
    name: 'ingress allowed by CIDR',
    covers: ['ingress-cidr'],
    topology: {
      networks: [NET1],
      securityGroups: [{ id: 'admin', rules: [{ id: 'ssh-from-mgmt', dir: 'ingress', proto: 'tcp', ports: 22, cidr: '10.0.0.0/28' }, { id: 'admin-out', dir: 'egress' }] }],
      vms: [
        { id: 'srv', network: 'net1', ips: ['10.0.0.100'], securityGroups: ['admin'], listen: ['tcp/22'] },
        { id: 'mgmt', network: 'net1', ips: ['10.0.0.5'], securityGroups: ['admin'] },
        { id: 'user', network: 'net1', ips: ['10.0.0.20'], securityGroups: ['admin'] },
      ],
    },
    probes: [
      { name: 'from inside the /28', probe: { from: { portId: 'mgmt' }, to: { portId: 'srv' }, protocol: 'tcp', port: 22 }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', node: 'srv', ruleId: 'ssh-from-mgmt' }] } },
      { name: 'from outside the /28', probe: { from: { portId: 'user' }, to: { portId: 'srv' }, protocol: 'tcp', port: 22 }, expect: { verdict: 'dropped', hops: [{ step: 'ingress_acl', node: 'srv', ok: false }] } },
      { name: 'another port is not covered', probe: { from: { portId: 'mgmt' }, to: { portId: 'srv' }, protocol: 'tcp', port: 23 }, expect: { verdict: 'dropped', hops: [{ step: 'ingress_acl', node: 'srv', ok: false, detail: 'tcp/23' }] } },
    ],
  },
  {
    name: 'ingress allowed by remote group, across a router',
    covers: ['remote-group', 'router'],
    topology: {
      networks: [NET1, NET2],
      securityGroups: [
        { id: 'app', rules: [{ id: 'app-out', dir: 'egress' }] },
        { id: 'db', rules: [{ id: 'pg-from-app', dir: 'ingress', proto: 'tcp', ports: 5432, remoteGroup: 'app' }, { id: 'db-out', dir: 'egress' }] },
      ],
      vms: [
        { id: 'app1', network: 'net1', ips: ['10.0.0.5'], securityGroups: ['app'] },
        { id: 'web1', network: 'net1', ips: ['10.0.0.6'] },
        { id: 'db1', network: 'net2', ips: ['10.1.0.5'], securityGroups: ['db'], listen: ['tcp/5432'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1', 'sub2'] }],
    },
    probes: [
      { name: 'app member reaches postgres', probe: { from: { portId: 'app1' }, to: { portId: 'db1' }, protocol: 'tcp', port: 5432 }, expect: { verdict: 'delivered', hops: [{ step: 'router', node: 'r1' }, { step: 'ingress_acl', node: 'db1', ruleId: 'pg-from-app' }] } },
      { name: 'non-member is refused', probe: { from: { portId: 'web1' }, to: { portId: 'db1' }, protocol: 'tcp', port: 5432 }, expect: { verdict: 'dropped', hops: [{ step: 'ingress_acl', node: 'db1', ok: false, detail: 'no rule of groups db allows tcp/5432 from 10.0.0.6' }] } },
    ],
  },
  {
    name: 'egress restricted to HTTPS',
    covers: ['egress-restricted'],
    topology: {
      networks: [NET1, EXT],
      securityGroups: [{ id: 'locked', rules: [{ id: 'https-out', dir: 'egress', proto: 'tcp', ports: 443, cidr: '0.0.0.0/0' }] }],
      vms: [{ id: 'a', network: 'net1', ips: ['10.0.0.5'], securityGroups: ['locked'] }],
      routers: [{ id: 'r1', interfaces: ['sub1'], gateway: { network: 'ext', ips: ['203.0.113.10'] } }],
    },
    probes: [
      { name: 'https out', probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'tcp', port: 443 }, expect: { verdict: 'delivered', hops: [{ step: 'egress_acl', node: 'a', ruleId: 'https-out' }], replyHops: [{ step: 'ingress_acl', node: 'a', detail: 'conntrack' }] } },
      { name: 'http out', probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'tcp', port: 80 }, expect: { verdict: 'dropped', hops: [{ step: 'egress_acl', node: 'a', ok: false, detail: 'no egress rule of groups locked allows tcp/80 to 8.8.8.8' }] } },
      { name: 'ping out', probe: { from: { portId: 'a' }, to: { ip: '8.8.8.8' }, protocol: 'icmp' }, expect: { verdict: 'dropped', hops: [{ step: 'egress_acl', ok: false }] } },
    ],
  },
  {
    name: 'stateful groups let replies of allowed flows back',
    covers: ['stateful-reply'],
    topology: {
      networks: [NET1],
      securityGroups: [
        { id: 'client', rules: [{ id: 'client-out', dir: 'egress' }] },
        { id: 'server', rules: [{ id: 'web-in', dir: 'ingress', proto: 'tcp', ports: 80 }] },
      ],
      vms: [
        { id: 'cl', network: 'net1', ips: ['10.0.0.5'], securityGroups: ['client'] },
        { id: 'sv', network: 'net1', ips: ['10.0.0.6'], securityGroups: ['server'], listen: ['tcp/80'] },
      ],
    },
    probes: [
      {
        name: 'client to server tcp/80 and back',
        probe: { from: { portId: 'cl' }, to: { portId: 'sv' }, protocol: 'tcp', port: 80 },
        expect: {
          verdict: 'delivered',
          hops: [{ step: 'egress_acl', node: 'cl', ruleId: 'client-out' }, { step: 'ingress_acl', node: 'sv', ruleId: 'web-in' }],
          replyHops: [{ step: 'egress_acl', node: 'sv', detail: 'conntrack' }, { step: 'ingress_acl', node: 'cl', detail: 'conntrack' }],
        },
      },
      { name: 'server cannot open connections (no egress rule)', probe: { from: { portId: 'sv' }, to: { portId: 'cl' }, protocol: 'tcp', port: 80 }, expect: { verdict: 'dropped', hops: [{ step: 'egress_acl', node: 'sv', ok: false }] } },
    ],
  },
  {
    name: 'stateless groups need explicit rules for replies',
    covers: ['stateless'],
    topology: {
      networks: [NET1],
      securityGroups: [
        { id: 'client', rules: [{ id: 'client-out', dir: 'egress' }] },
        { id: 'sl-bare', stateful: false, rules: [{ id: 'sl-web-in', dir: 'ingress', proto: 'tcp', ports: 80 }] },
        {
          id: 'sl-full',
          stateful: false,
          rules: [
            { id: 'slf-web-in', dir: 'ingress', proto: 'tcp', ports: 80 },
            { id: 'slf-eph-out', dir: 'egress', proto: 'tcp', ports: [1024, 65535] },
          ],
        },
      ],
      vms: [
        { id: 'cl', network: 'net1', ips: ['10.0.0.5'], securityGroups: ['client'] },
        { id: 'bare', network: 'net1', ips: ['10.0.0.6'], securityGroups: ['sl-bare'], listen: ['tcp/80'] },
        { id: 'full', network: 'net1', ips: ['10.0.0.7'], securityGroups: ['sl-full'], listen: ['tcp/80'] },
      ],
    },
    probes: [
      { name: 'reply blocked without an egress rule', probe: { from: { portId: 'cl' }, to: { portId: 'bare' }, protocol: 'tcp', port: 80 }, expect: { verdict: 'reply_dropped', replyHops: [{ step: 'egress_acl', node: 'bare', ok: false, detail: 'tcp/40000' }] } },
      { name: 'reply allowed by the ephemeral-port rule', probe: { from: { portId: 'cl' }, to: { portId: 'full' }, protocol: 'tcp', port: 80 }, expect: { verdict: 'delivered', replyHops: [{ step: 'egress_acl', node: 'full', ruleId: 'slf-eph-out' }, { step: 'ingress_acl', node: 'cl', detail: 'conntrack' }] } },
    ],
  },
  {
    name: 'port security disabled: no groups, no anti-spoofing',
    covers: ['port-security-off', 'spoofing'],
    topology: {
      networks: [NET1],
      vms: [
        { id: 'open', network: 'net1', ips: ['10.0.0.5'], portSecurity: false, securityGroups: [], listen: ['tcp/9999'] },
        { id: 'a', network: 'net1', ips: ['10.0.0.6'] },
      ],
    },
    probes: [
      { name: 'anyone reaches any port', probe: { from: { portId: 'a' }, to: { portId: 'open' }, protocol: 'tcp', port: 9999 }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', node: 'open', detail: 'port security disabled' }] } },
      { name: 'it may send from any address', probe: { from: { portId: 'open' }, to: { portId: 'a' }, protocol: 'icmp', srcIp: '10.0.0.99' }, expect: { verdict: 'dropped', hops: [{ step: 'anti_spoof', node: 'open', ok: true, detail: 'port security disabled' }, { step: 'ingress_acl', node: 'a', ok: false, detail: 'from 10.0.0.99' }] } },
    ],
  },
  {
    name: 'anti-spoofing drops forged source IP and MAC',
    covers: ['spoofing'],
    topology: { networks: [NET1], vms: [{ id: 'a', network: 'net1', ips: ['10.0.0.5'] }, { id: 'b', network: 'net1', ips: ['10.0.0.6'] }] },
    probes: [
      { name: 'forged IP', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp', srcIp: '10.0.0.66' }, expect: { verdict: 'dropped', hops: [{ step: 'anti_spoof', node: 'a', ok: false, detail: '10.0.0.66' }] } },
      { name: 'forged MAC', probe: { from: { portId: 'a' }, to: { portId: 'b' }, protocol: 'icmp', srcMac: 'fa:16:3e:99:99:99' }, expect: { verdict: 'dropped', hops: [{ step: 'anti_spoof', node: 'a', ok: false, detail: 'MAC fa:16:3e:99:99:99' }] } },
    ],
  },
  {
    name: 'allowed address pair: a VIP may be used and reached',
    covers: ['allowed-address-pair', 'remote-group'],
    topology: {
      networks: [NET1],
      vms: [
        { id: 'lb', network: 'net1', ips: ['10.0.0.5'], pairs: [{ ip: '10.0.0.100' }], extraAddresses: ['10.0.0.100'], listen: ['tcp/443'] },
        { id: 'a', network: 'net1', ips: ['10.0.0.6'] },
      ],
    },
    probes: [
      { name: 'a reaches the VIP', probe: { from: { portId: 'a' }, to: { ip: '10.0.0.100' }, protocol: 'tcp', port: 443 }, expect: { verdict: 'delivered', hops: [{ step: 'neighbor', detail: 'port lb' }, { step: 'port_in', node: 'lb' }], replyHops: [{ step: 'anti_spoof', node: 'lb', ok: true }] } },
      {
        name: 'lb sends from the VIP, a accepts it as a default-group member',
        probe: { from: { portId: 'lb' }, to: { portId: 'a' }, protocol: 'icmp', srcIp: '10.0.0.100' },
        expect: { verdict: 'delivered', hops: [{ step: 'anti_spoof', node: 'lb', ok: true }, { step: 'ingress_acl', node: 'a', ruleId: 'default-p1-in4' }] },
      },
    ],
  },
  {
    name: 'admin_state_up=false on a port, a network and a router',
    covers: ['admin-down'],
    topology: {
      networks: [NET1, NET2, { id: 'dead', adminUp: false, subnets: [{ id: 'dead-sub', cidr: '10.7.0.0/24' }] }],
      vms: [
        { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
        { id: 'off', network: 'net1', ips: ['10.0.0.6'], adminUp: false },
        { id: 'c', network: 'net2', ips: ['10.1.0.5'] },
        { id: 'd', network: 'dead', ips: ['10.7.0.5'] },
      ],
      routers: [{ id: 'r1', adminUp: false, interfaces: ['sub1', 'sub2'] }],
    },
    portStatus: { a: 'ACTIVE', off: 'DOWN', d: 'DOWN' },
    probes: [
      { name: 'to an admin-down port', probe: { from: { portId: 'a' }, to: { portId: 'off' }, protocol: 'icmp' }, expect: { verdict: 'dropped', hops: [{ step: 'neighbor', ok: false, detail: 'admin down' }] } },
      { name: 'from an admin-down port', probe: { from: { portId: 'off' }, to: { portId: 'a' }, protocol: 'icmp' }, expect: { verdict: 'dropped', hops: [{ step: 'port_out', node: 'off', ok: false }] } },
      { name: 'on an admin-down network', probe: { from: { portId: 'd' }, to: { ip: '10.7.0.6' }, protocol: 'icmp' }, expect: { verdict: 'dropped', hops: [{ step: 'port_out', node: 'd', ok: false }] } },
      { name: 'through an admin-down router', probe: { from: { portId: 'a' }, to: { portId: 'c' }, protocol: 'icmp' }, expect: { verdict: 'dropped', summary: 'admin down' } },
    ],
  },
  {
    name: 'ICMP rules by type, UDP rules, protocol numbers, IPv6 ICMP',
    covers: ['icmp', 'udp', 'protocol-number', 'ipv6'],
    topology: {
      networks: [{ id: 'dual', subnets: [{ id: 'dual-v4', cidr: '10.0.0.0/24' }, { id: 'dual-v6', cidr: '2001:db8:2::/64' }] }],
      securityGroups: [
        { id: 'all-out', rules: [{ id: 'o4', dir: 'egress', ethertype: 'IPv4' }, { id: 'o6', dir: 'egress', ethertype: 'IPv6' }] },
        {
          id: 'picky',
          rules: [
            { id: 'echo-only', dir: 'ingress', proto: 'icmp', ports: [8, 0] },
            { id: 'dns', dir: 'ingress', proto: 'udp', ports: 53, cidr: '10.0.0.0/24' },
            { id: 'ping6', dir: 'ingress', ethertype: 'IPv6', proto: 'icmp' },
            { id: 'tcp-by-number', dir: 'ingress', proto: '6', ports: 8080 },
          ],
        },
      ],
      vms: [
        { id: 'cl', network: 'dual', ips: ['10.0.0.5', '2001:db8:2::5'], securityGroups: ['all-out'] },
        { id: 'sv', network: 'dual', ips: ['10.0.0.6', '2001:db8:2::6'], securityGroups: ['picky'], listen: ['udp/53', 'tcp/8080', 'tcp/22'] },
      ],
    },
    probes: [
      { name: 'echo request allowed by type', probe: { from: { portId: 'cl' }, to: { portId: 'sv' }, protocol: 'icmp' }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', node: 'sv', ruleId: 'echo-only' }] } },
      { name: 'dns over udp', probe: { from: { portId: 'cl' }, to: { portId: 'sv' }, protocol: 'udp', port: 53 }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', node: 'sv', ruleId: 'dns' }] } },
      { name: 'tcp by protocol number', probe: { from: { portId: 'cl' }, to: { portId: 'sv' }, protocol: 'tcp', port: 8080 }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', ruleId: 'tcp-by-number' }] } },
      { name: 'ssh not allowed', probe: { from: { portId: 'cl' }, to: { portId: 'sv' }, protocol: 'tcp', port: 22 }, expect: { verdict: 'dropped' } },
      { name: 'ping over IPv6 (icmp on an IPv6 rule means ICMPv6)', probe: { from: { portId: 'cl' }, to: { portId: 'sv' }, protocol: 'icmp', ipVersion: 6 }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', ruleId: 'ping6' }] } },
      { name: 'dns over IPv6 is not allowed (rule is IPv4)', probe: { from: { portId: 'cl' }, to: { portId: 'sv' }, protocol: 'udp', port: 53, ipVersion: 6 }, expect: { verdict: 'dropped' } },
    ],
  },
  {
    name: 'remote group membership includes allowed address pairs and follows ports',
    covers: ['remote-group', 'allowed-address-pair'],
    topology: {
      networks: [NET1, EXT],
      securityGroups: [
        { id: 'front', rules: [{ id: 'front-out', dir: 'egress' }] },
        { id: 'back', rules: [{ id: 'from-front', dir: 'ingress', proto: 'tcp', ports: 8080, remoteGroup: 'front' }] },
      ],
      vms: [
        { id: 'fe', network: 'net1', ips: ['10.0.0.5'], securityGroups: ['front'], pairs: [{ ip: '10.0.0.200' }], extraAddresses: ['10.0.0.200'] },
        { id: 'be', network: 'net1', ips: ['10.0.0.6'], securityGroups: ['back'], listen: ['tcp/8080'] },
      ],
      routers: [{ id: 'r1', interfaces: ['sub1'], gateway: { network: 'ext', ips: ['203.0.113.10'] } }],
      floatingIps: [{ id: 'fip-be', ip: '203.0.113.30', network: 'ext', port: 'be' }],
    },
    probes: [
      { name: 'from the member address', probe: { from: { portId: 'fe' }, to: { portId: 'be' }, protocol: 'tcp', port: 8080 }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', ruleId: 'from-front' }] } },
      { name: 'from the member VIP', probe: { from: { portId: 'fe' }, to: { portId: 'be' }, protocol: 'tcp', port: 8080, srcIp: '10.0.0.200' }, expect: { verdict: 'delivered', hops: [{ step: 'ingress_acl', ruleId: 'from-front' }] } },
      { name: 'the outside world is not a member', probe: { from: { outside: 'ext' }, to: { ip: '203.0.113.30' }, protocol: 'tcp', port: 8080 }, expect: { verdict: 'dropped', hops: [{ step: 'nat', nat: 'dnat' }, { step: 'ingress_acl', node: 'be', ok: false }] } },
    ],
  },
];

/** Floating IPs of the same router reach each other through the gateway (hairpin). */
export const hairpinScenario: Scenario = {
  name: 'hairpin: a VM reaches another VM through its floating IP',
  covers: ['floating-ip', 'snat', 'dnat'],
  topology: {
    networks: [NET1, NET2, EXT],
    securityGroups: [{ id: 'web', defaultRules: true, rules: [{ id: 'web-in', dir: 'ingress', proto: 'tcp', ports: 80, cidr: '0.0.0.0/0' }] }],
    vms: [
      { id: 'a', network: 'net1', ips: ['10.0.0.5'] },
      { id: 'w', network: 'net2', ips: ['10.1.0.5'], securityGroups: ['web'], listen: ['tcp/80'] },
    ],
    routers: [{ id: 'r1', interfaces: ['sub1', 'sub2'], gateway: { network: 'ext', ips: ['203.0.113.10'] } }],
    floatingIps: [{ id: 'fip-w', ip: '203.0.113.40', network: 'ext', port: 'w' }],
  },
  probes: [
    {
      name: 'a to w via 203.0.113.40',
      probe: { from: { portId: 'a' }, to: { ip: '203.0.113.40' }, protocol: 'tcp', port: 80 },
      expect: {
        verdict: 'delivered',
        hops: [
          { step: 'nat', node: 'r1', nat: 'dnat', detail: '203.0.113.40 → 10.1.0.5' },
          { step: 'nat', node: 'r1', nat: 'snat', detail: 'hairpin SNAT 10.0.0.5 → 203.0.113.10' },
          { step: 'ingress_acl', node: 'w', ruleId: 'web-in', detail: 'from 203.0.113.10' },
        ],
        replyHops: [
          { step: 'nat', node: 'r1', nat: 'dnat', detail: 'un-SNAT reply 203.0.113.10 → 10.0.0.5' },
          { step: 'nat', node: 'r1', nat: 'snat', detail: 'floating IP 203.0.113.40' },
          { step: 'ingress_acl', node: 'a', detail: 'conntrack' },
        ],
      },
    },
  ],
};
