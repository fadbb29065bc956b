/**
 * Nova's wire shapes (microversion 2.1) for servers, flavors, interfaces and volume attachments:
 * snake_case and the OS-EXT-* prefixed fields the openstack CLI prints. Pure rendering.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../core/identity/context.js';
import type { Flavor, InstanceActionData, ServerData, ServerStatus } from '../../core/model/compute.js';
import type { StoredResource } from '../../core/ports/resource-store.js';
import type { InterfaceAttachment, ServerAddress } from '../../core/compute/server-ports.js';

export const COMPUTE_V21 = '/compute/v2.1';

/** Nova prints seconds, no fraction: 2024-01-01T10:00:00Z. */
export const novaTime = (iso: string | null): string | null => (iso ? iso.replace(/\.\d+Z$/, 'Z') : null);

/** Instance actions show Nova's naive UTC times with microseconds: 2024-01-01T10:00:00.123000. */
export const actionTime = (iso: string | null): string | null => (iso ? iso.replace(/Z$/, '').replace(/\.(\d{3})$/, '.$1000') : null);

const VM_STATE: Record<ServerStatus, string> = { BUILD: 'building', ACTIVE: 'active', SHUTOFF: 'stopped', REBOOT: 'active', ERROR: 'error' };

function links(base: string, collection: string, id: string) {
  return [
    { rel: 'self', href: `${base}${COMPUTE_V21}/${collection}/${id}` },
    { rel: 'bookmark', href: `${base}/compute/${collection}/${id}` },
  ];
}

export function serverRef(base: string, s: StoredResource<ServerData>) {
  return { id: s.id, name: s.data.name, links: links(base, 'servers', s.id) };
}

export interface ServerExtras {
  addresses: Record<string, ServerAddress[]>;
  securityGroups: string[];
}

export function serverDetail(base: string, ctx: RequestContext, s: StoredResource<ServerData>, x: ServerExtras) {
  const d = s.data;
  const addresses: Record<string, unknown[]> = {};
  for (const [net, list] of Object.entries(x.addresses)) {
    addresses[net] = list.map((a) => ({ version: a.version, addr: a.addr, 'OS-EXT-IPS:type': a.type, 'OS-EXT-IPS-MAC:mac_addr': a.mac }));
  }
  const view: Record<string, unknown> = {
    id: s.id,
    name: d.name,
    status: d.status,
    tenant_id: s.projectId,
    user_id: d.userId,
    metadata: d.metadata,
    // Nova's hostId: an opaque per-project digest of the host, so tenants can tell co-location apart.
    hostId: createHash('sha224').update(`${s.projectId}${d.hostId}`).digest('hex'),
    image: d.imageId ? { id: d.imageId, links: [{ rel: 'bookmark', href: `${base}/compute/images/${d.imageId}` }] } : '',
    flavor: { id: d.flavorId, links: [{ rel: 'bookmark', href: `${base}/compute/flavors/${d.flavorId}` }] },
    created: novaTime(s.createdAt),
    updated: novaTime(s.updatedAt),
    addresses,
    accessIPv4: '',
    accessIPv6: '',
    links: links(base, 'servers', s.id),
    'OS-DCF:diskConfig': 'MANUAL',
    progress: 0,
    'OS-EXT-AZ:availability_zone': d.availabilityZone,
    config_drive: '',
    key_name: d.keyName,
    'OS-SRV-USG:launched_at': d.launchedAt ? novaTime(d.launchedAt)!.replace(/Z$/, '.000000') : null,
    'OS-SRV-USG:terminated_at': null,
    'OS-EXT-STS:task_state': d.taskState,
    'OS-EXT-STS:vm_state': VM_STATE[d.status],
    'OS-EXT-STS:power_state': d.powerState,
    'os-extended-volumes:volumes_attached': d.volumeAttachments.map((v) => ({ id: v.volumeId })),
    security_groups: x.securityGroups.map((name) => ({ name })),
  };
  if (d.fault) view['fault'] = { code: d.fault.code, message: d.fault.message, created: novaTime(d.fault.created) };
  if (ctx.isAdmin) {
    view['OS-EXT-SRV-ATTR:host'] = d.hostId;
    view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = d.hostId;
    view['OS-EXT-SRV-ATTR:instance_name'] = `instance-${s.id.slice(0, 8)}`;
  }
  return view;
}

export function flavorRef(base: string, f: Flavor) {
  return { id: f.id, name: f.name, links: links(base, 'flavors', f.id) };
}

export function flavorDetail(base: string, f: Flavor) {
  return {
    ...flavorRef(base, f),
    ram: f.ramMb,
    disk: f.diskGb,
    vcpus: f.vcpus,
    swap: f.swapMb === 0 ? '' : f.swapMb,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeralGb,
    'OS-FLV-DISABLED:disabled': false,
    rxtx_factor: 1.0,
    'os-flavor-access:is_public': f.isPublic,
  };
}

export function interfaceView(i: InterfaceAttachment) {
  return {
    port_id: i.portId,
    net_id: i.networkId,
    mac_addr: i.macAddress,
    port_state: i.portState,
    fixed_ips: i.fixedIps.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress })),
  };
}

/** An instance action; `events` only when the caller may see them (Nova's os-instance-actions:events). */
export function instanceActionView(a: StoredResource<InstanceActionData>, withEvents: boolean) {
  const d = a.data;
  const view: Record<string, unknown> = {
    action: d.action,
    instance_uuid: a.parentId,
    message: d.message,
    project_id: d.callerProjectId,
    request_id: d.requestId,
    start_time: actionTime(d.startTime),
    user_id: d.userId,
  };
  if (withEvents) {
    view['events'] = d.events.map((e) => ({ event: e.event, start_time: actionTime(e.startTime), finish_time: actionTime(e.finishTime), result: e.result, traceback: e.traceback }));
  }
  return view;
}

export function volumeAttachmentView(serverId: string, a: { volumeId: string; device: string }) {
  return { id: a.volumeId, volumeId: a.volumeId, serverId, device: a.device };
}
