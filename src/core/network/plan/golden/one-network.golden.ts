/**
 * Golden output of the planner for `oneNetworkSketch` (see sketches.ts). Reviewed by hand; regenerate only
 * when a spec change is intended, and read the diff. Pure data.
 */

import type { HostSpec } from '../spec.js';

export const oneNetworkGolden: HostSpec[] = [
  {
    "hostId": "local",
    "generation": 3,
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
          }
        ],
        "hosts": [
          "local"
        ],
        "generation": 3
      }
    ],
    "ports": [
      {
        "portId": "a",
        "networkId": "net1",
        "projectId": "p1",
        "hostId": "local",
        "kind": "workload",
        "deviceId": "inst-a",
        "macAddress": "fa:16:3e:00:00:01",
        "ips": [
          {
            "subnetId": "sub1",
            "ipAddress": "10.0.0.5",
            "cidr": "10.0.0.0/24"
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
          "listeners": [
            {
              "protocol": "tcp",
              "port": 22
            }
          ],
          "answersPing": true,
          "extraAddresses": []
        },
        "generation": 3
      },
      {
        "portId": "b",
        "networkId": "net1",
        "projectId": "p1",
        "hostId": "local",
        "kind": "workload",
        "deviceId": "inst-b",
        "macAddress": "fa:16:3e:00:00:02",
        "ips": [
          {
            "subnetId": "sub1",
            "ipAddress": "10.0.0.6",
            "cidr": "10.0.0.0/24"
          }
        ],
        "adminStateUp": true,
        "portSecurityEnabled": true,
        "securityGroupIds": [
          "default-p1",
          "web"
        ],
        "allowedAddressPairs": [
          {
            "ipAddress": "10.0.0.100",
            "macAddress": "fa:16:3e:00:00:02"
          }
        ],
        "workload": {
          "instanceId": "inst-b",
          "listeners": [],
          "answersPing": true,
          "extraAddresses": []
        },
        "generation": 3
      },
      {
        "portId": "dhcp-net1",
        "networkId": "net1",
        "projectId": "p1",
        "hostId": "local",
        "kind": "dhcp",
        "deviceId": "dhcp-net1",
        "macAddress": "fa:16:3e:00:00:03",
        "ips": [
          {
            "subnetId": "sub1",
            "ipAddress": "10.0.0.2",
            "cidr": "10.0.0.0/24"
          }
        ],
        "adminStateUp": true,
        "portSecurityEnabled": false,
        "securityGroupIds": [],
        "allowedAddressPairs": [],
        "workload": null,
        "generation": 3
      }
    ],
    "routers": [],
    "dhcp": [
      {
        "networkId": "net1",
        "serverPortId": "dhcp-net1",
        "serverMac": "fa:16:3e:00:00:03",
        "subnets": [
          {
            "subnetId": "sub1",
            "ipVersion": 4,
            "cidr": "10.0.0.0/24",
            "gatewayIp": "10.0.0.1",
            "dnsNameservers": [
              "10.0.0.53"
            ],
            "hostRoutes": [],
            "mtu": 1450,
            "leaseSeconds": 86400
          }
        ],
        "hosts": [
          {
            "portId": "a",
            "macAddress": "fa:16:3e:00:00:01",
            "ipAddress": "10.0.0.5",
            "subnetId": "sub1"
          },
          {
            "portId": "b",
            "macAddress": "fa:16:3e:00:00:02",
            "ipAddress": "10.0.0.6",
            "subnetId": "sub1"
          }
        ],
        "generation": 3
      }
    ],
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
              "10.0.0.100",
              "10.0.0.5",
              "10.0.0.6"
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
            "remoteAddresses": []
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
        "generation": 3
      },
      {
        "groupId": "web",
        "projectId": "p1",
        "stateful": true,
        "rules": [
          {
            "ruleId": "http",
            "direction": "ingress",
            "ethertype": "IPv4",
            "protocol": 6,
            "portMin": 80,
            "portMax": 80,
            "icmpType": null,
            "icmpCode": null,
            "remoteIpPrefix": "0.0.0.0/0",
            "remoteGroupId": null,
            "remoteAddresses": null
          },
          {
            "ruleId": "ping",
            "direction": "ingress",
            "ethertype": "IPv4",
            "protocol": 1,
            "portMin": null,
            "portMax": null,
            "icmpType": 8,
            "icmpCode": null,
            "remoteIpPrefix": null,
            "remoteGroupId": null,
            "remoteAddresses": null
          }
        ],
        "generation": 3
      }
    ]
  }
];
