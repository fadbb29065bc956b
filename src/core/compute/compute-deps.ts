/**
 * What the compute use cases need, passed in by the composition root: the shared store, ids and
 * time, the networking services (ports are created and bound through them, as Nova calls Neutron),
 * optionally a packet tracer (the console log shows a real DHCP exchange) and the volume attacher.
 * Pure core.
 */
import type { NetworkServices } from '../network/service/index.js';
import type { PacketTracer } from '../ports/dataplane-driver.js';
import type { ResourceStore } from '../ports/resource-store.js';
import type { RequestContext } from '../identity/context.js';
import { anyOf, isAllowed, rules, type PolicyTable } from '../identity/policy.js';
import { Forbidden } from '../errors.js';

/** Attaches Cinder volumes to servers (the new attachment flow); see server-volumes.ts. */
export interface VolumeAttacher {
  /** Reserves, creates the attachment with our connector, completes it; returns connection_info. */
  attach(ctx: RequestContext, volumeId: string, serverId: string, mountpoint: string): Promise<{ attachmentId: string; connectionInfo: Record<string, unknown> | null }>;
  /** Deletes the attachment; the volume becomes available again. */
  detach(ctx: RequestContext, volumeId: string, attachmentId: string): Promise<void>;
  /** Throws NotFound when the caller cannot see the volume. */
  assertVisible(ctx: RequestContext, volumeId: string): Promise<void>;
  /**
   * The size in bytes a new connection to the attachment's export sees now (what a host rescan finds
   * after an extend); null when nothing serves the attachment. No policy: the compute side asks.
   */
  servedSize(attachmentId: string): Promise<number | null>;
}

export interface ComputeDeps {
  store: ResourceStore;
  uuid(): string;
  now(): string;
  network: Pick<NetworkServices, 'ports' | 'networks' | 'floatingIps'>;
  /** The host every server lands on (binding:host_id of its ports). */
  hostId: string;
  tracer?: PacketTracer;
  volumes?: VolumeAttacher;
}

const member = anyOf(rules.admin, rules.projectMember);
const reader = anyOf(rules.admin, rules.projectReader);

/** Nova's policy-in-code defaults, reduced to what PocketStack serves. */
export const COMPUTE_POLICY: PolicyTable = Object.freeze({
  'servers:create': member,
  'servers:index': reader,
  'servers:show': reader,
  'servers:update': member,
  'servers:delete': member,
  'servers:start': member,
  'servers:stop': member,
  'servers:reboot': member,
  'servers:interfaces': member,
  'servers:volumes': member,
  'servers:console_output': member,
  'servers:index:all_tenants': rules.admin,
  'os-instance-actions:list': reader,
  'os-instance-actions:show': reader,
  // Events may carry error details, so Nova shows them to admins only (until 2.51, not served here).
  'os-instance-actions:events': rules.admin,
});

export function authorizeCompute(ctx: RequestContext, action: string, projectId: string | null): void {
  if (!isAllowed(COMPUTE_POLICY, ctx, action, { projectId })) {
    throw new Forbidden(`Policy doesn't allow os_compute_api:${action} to be performed.`, 'Forbidden');
  }
}
