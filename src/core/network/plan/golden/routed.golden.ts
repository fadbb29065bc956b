/**
 * Golden output of the planner for `routedSketch` (see sketches.ts). Reviewed by hand; regenerate only
 * when a spec change is intended, and read the diff. Pure data.
 */

import type { HostSpec } from '../spec.js';

export const routedGolden: HostSpec[] = [
  {
    "hostId": "host-2",
    "generation": 9,
    "segments": [
      {
        "networkId": "net1",
        "projectId": "p1",
        "segmentId": "seg-net1",
        "networkType": "vxlan",
        "segmentationId": 1000,
        "physicalNetwork": null,
        "mtu": 1450,
        "overheadBytes": 50,
        "external": false,
        "adminStateUp": true,
        "subnets": [
          {
            "subnetId": "sub1",
            "ipVersion": 4,
            "cidr": "10.0.0.0/24",
            "gatewayIp": "10.0.0.1"
          },
          {
            "subnetId": "sub1-v6",
            "ipVersion": 6,
            "cidr": "2001:db8:1::/64",
            "gatewayIp": "2001:db8:1::1"
          }
        ],
        "hosts": [
          "host-2",
          "local"
        ],
        "generation": 9
      }
    ],
    "ports": [
      {
        "portId": "a",
        "networkId": "net1",
        "projectId": "p1",
        "hostId": "host-2",
        "kind": "workload",
        "deviceId": "inst-a",
        "macAddress": "fa:16:3e:00:00:04",
        "ips": [
          {
            "subnetId": "sub1",
            "ipAddress": "10.0.0.5",
            "cidr": "10.0.0.0/24"
          },
          {
            "subnetId": "sub1-v6",
            "ipAddress": "2001:db8:1::5",
            "cidr": "2001:db8:1::/64"
          }
        ],
        "adminStateUp": true,
        "portSecurityEnabled": true,
        "securityGroupIds": [
          "default-p1"
        ],
        "allowedAddressPairs": [],
        "workload": {
          "instanceId": "inst-a",
          "listeners": [],
          "answersPing": true,
          "extraAddresses": []
        },
        "generation": 9
      }
    ],
    "routers": [],
    "dhcp": [],
    "acls": [
      {
        "groupId": "default-p1",
        "projectId": "p1",
        "stateful": true,
        "rules": [
          {
            "ruleId": "default-p1-in4",
            "direction": "ingress",
            "ethertype": "IPv4",
            "protocol": null,
            "portMin": null,
            "portMax": null,
            "icmpType": null,
            "icmpCode": null,
            "remoteIpPrefix": null,
            "remoteGroupId": "default-p1",
            "remoteAddresses": [
              "10.0.0.5"
            ]
          },
          {
            "ruleId": "default-p1-in6",
            "direction": "ingress",
            "ethertype": "IPv6",
            "protocol": null,
            "portMin": null,
            "portMax": null,
            "icmpType": null,
            "icmpCode": null,
            "remoteIpPrefix": null,
            "remoteGroupId": "default-p1",
            "remoteAddresses": [
              "2001:db8:1::5"
            ]
          },
          {
            "ruleId": "default-p1-out4",
            "direction": "egress",
            "ethertype": "IPv4",
            "protocol": null,
            "portMin": null,
            "portMax": null,
            "icmpType": null,
            "icmpCode": null,
            "remoteIpPrefix": null,
            "remoteGroupId": null,
            "remoteAddresses": null
          },
          {
            "ruleId": "default-p1-out6",
            "direction": "egress",
            "ethertype": "IPv6",
            "protocol": null,
            "portMin": null,
            "portMax": null,
            "icmpType": null,
            "icmpCode": null,
            "remoteIpPrefix": null,
            "remoteGroupId": null,
            "remoteAddresses": null
          }
        ],
        "generation": 9
      }
    ]
  },
  {
    "hostId": "local",
    "generation": 9,
    "segments": [
      {
        "networkId": "ext",
        "projectId": "p1",
        "segmentId": "seg-ext",
        "networkType": "flat",
        "segmentationId": null,
        "physicalNetwork": "physnet1",
        "mtu": 1500,
        "overheadBytes": 0,
        "external": true,
        "adminStateUp": true,
        "subnets": [
          {
            "subnetId": "ext-v4",
            "ipVersion": 4,
            "cidr": "203.0.113.0/24",
            "gatewayIp": "203.0.113.1"
          }
        ],
        "hosts": [
          "local"
        ],
        "generation": 9
      },
      {
        "networkId": "net1",
        "projectId": "p1",
        "segmentId": "seg-net1",
        "networkType": "vxlan",
        "segmentationId": 1000,
        "physicalNetwork": null,
        "mtu": 1450,
        "overheadBytes": 50,
        "external": false,
        "adminStateUp": true,
        "subnets": [
          {
            "subnetId": "sub1",
            "ipVersion": 4,
            "cidr": "10.0.0.0/24",
            "gatewayIp": "10.0.0.1"
          },
          {
            "subnetId": "sub1-v6",
            "ipVersion": 6,
            "cidr": "2001:db8:1::/64",
            "gatewayIp": "2001:db8:1::1"
          }
        ],
        "hosts": [
          "host-2",
          "local"
        ],
        "generation": 9
      }
    ],
    "ports": [
      {
        "portId": "dhcp-net1",
        "networkId": "net1",
        "projectId": "p1",
        "hostId": "local",
        "kind": "dhcp",
        "deviceId": "dhcp-net1",
        "macAddress": "fa:16:3e:00:00:05",
        "ips": [
          {
            "subnetId": "sub1",
            "ipAddress": "10.0.0.2",
            "cidr": "10.0.0.0/24"
          },
          {
            "subnetId": "sub1-v6",
            "ipAddress": "2001:db8:1::2",
            "cidr": "2001:db8:1::/64"
          }
        ],
        "adminStateUp": true,
        "portSecurityEnabled": false,
        "securityGroupIds": [],
        "allowedAddressPairs": [],
        "workload": null,
        "generation": 9
      },
      {
        "portId": "r1-gw",
        "networkId": "ext",
        "projectId": "p1",
        "hostId": "local",
        "kind": "router_gateway",
        "deviceId": "r1",
        "macAddress": "fa:16:3e:00:00:03",
        "ips": [
          {
            "subnetId": "ext-v4",
            "ipAddress": "203.0.113.10",
            "cidr": "203.0.113.0/24"
          }
        ],
        "adminStateUp": true,
        "portSecurityEnabled": false,
        "securityGroupIds": [],
        "allowedAddressPairs": [],
        "workload": null,
        "generation": 9
      },
      {
        "portId": "r1-if-sub1",
        "networkId": "net1",
        "projectId": "p1",
        "hostId": "local",
        "kind": "router_interface",
        "deviceId": "r1",
        "macAddress": "fa:16:3e:00:00:01",
        "ips": [
          {
            "subnetId": "sub1",
            "ipAddress": "10.0.0.1",
            "cidr": "10.0.0.0/24"
          }
        ],
        "adminStateUp": true,
        "portSecurityEnabled": false,
        "securityGroupIds": [],
        "allowedAddressPairs": [],
        "workload": null,
        "generation": 9
      },
      {
        "portId": "r1-if-sub1-v6",
        "networkId": "net1",
        "projectId": "p1",
        "hostId": "local",
        "kind": "router_interface",
        "deviceId": "r1",
        "macAddress": "fa:16:3e:00:00:02",
        "ips": [
          {
            "subnetId": "sub1-v6",
            "ipAddress": "2001:db8:1::1",
            "cidr": "2001:db8:1::/64"
          }
        ],
        "adminStateUp": true,
        "portSecurityEnabled": false,
        "securityGroupIds": [],
        "allowedAddressPairs": [],
        "workload": null,
        "generation": 9
      }
    ],
    "routers": [
      {
        "routerId": "r1",
        "projectId": "p1",
        "hostId": "local",
        "adminStateUp": true,
        "interfaces": [
          {
            "portId": "r1-if-sub1",
            "networkId": "net1",
            "subnetId": "sub1",
            "macAddress": "fa:16:3e:00:00:01",
            "ipAddress": "10.0.0.1",
            "cidr": "10.0.0.0/24"
          },
          {
            "portId": "r1-if-sub1-v6",
            "networkId": "net1",
            "subnetId": "sub1-v6",
            "macAddress": "fa:16:3e:00:00:02",
            "ipAddress": "2001:db8:1::1",
            "cidr": "2001:db8:1::/64"
          }
        ],
        "gateway": {
          "portId": "r1-gw",
          "networkId": "ext",
          "macAddress": "fa:16:3e:00:00:03",
          "ips": [
            {
              "subnetId": "ext-v4",
              "ipAddress": "203.0.113.10",
              "cidr": "203.0.113.0/24"
            }
          ],
          "enableSnat": true
        },
        "routes": [
          {
            "destination": "2001:db8:1::/64",
            "nexthop": null,
            "kind": "connected",
            "viaPortId": "r1-if-sub1-v6"
          },
          {
            "destination": "10.0.0.0/24",
            "nexthop": null,
            "kind": "connected",
            "viaPortId": "r1-if-sub1"
          },
          {
            "destination": "203.0.113.0/24",
            "nexthop": null,
            "kind": "connected",
            "viaPortId": "r1-gw"
          },
          {
            "destination": "192.168.0.0/16",
            "nexthop": "10.0.0.50",
            "kind": "extra",
            "viaPortId": "r1-if-sub1"
          },
          {
            "destination": "0.0.0.0/0",
            "nexthop": "203.0.113.1",
            "kind": "default",
            "viaPortId": "r1-gw"
          }
        ],
        "unresolvedRoutes": [
          {
            "destination": "172.16.0.0/12",
            "nexthop": "198.18.0.1"
          }
        ],
        "floatingIps": [
          {
            "floatingIpId": "fip1",
            "floatingIpAddress": "203.0.113.20",
            "fixedIpAddress": "10.0.0.5",
            "portId": "a"
          }
        ],
        "generation": 9
      }
    ],
    "dhcp": [
      {
        "networkId": "net1",
        "serverPortId": "dhcp-net1",
        "serverMac": "fa:16:3e:00:00:05",
        "subnets": [
          {
            "subnetId": "sub1",
            "ipVersion": 4,
            "cidr": "10.0.0.0/24",
            "gatewayIp": "10.0.0.1",
            "dnsNameservers": [],
            "hostRoutes": [],
            "mtu": 1450,
            "leaseSeconds": 86400
          },
          {
            "subnetId": "sub1-v6",
            "ipVersion": 6,
            "cidr": "2001:db8:1::/64",
            "gatewayIp": "2001:db8:1::1",
            "dnsNameservers": [],
            "hostRoutes": [],
            "mtu": 1450,
            "leaseSeconds": 86400
          }
        ],
        "hosts": [
          {
            "portId": "a",
            "macAddress": "fa:16:3e:00:00:04",
            "ipAddress": "10.0.0.5",
            "subnetId": "sub1"
          },
          {
            "portId": "a",
            "macAddress": "fa:16:3e:00:00:04",
            "ipAddress": "2001:db8:1::5",
            "subnetId": "sub1-v6"
          },
          {
            "portId": "r1-if-sub1",
            "macAddress": "fa:16:3e:00:00:01",
            "ipAddress": "10.0.0.1",
            "subnetId": "sub1"
          },
          {
            "portId": "r1-if-sub1-v6",
            "macAddress": "fa:16:3e:00:00:02",
            "ipAddress": "2001:db8:1::1",
            "subnetId": "sub1-v6"
          }
        ],
        "generation": 9
      }
    ],
    "acls": []
  }
];
