/**
 * The compute model as the compute services keep it: a server (a simulated workload on the one
 * host) and the built-in flavors. One `server` document per server in the ResourceStore; the network
 * agent reads these next to Neutron's documents to know which workloads sit behind which ports.
 * Pure core: imports nothing.
 */

export const COMPUTE_KIND = {
  server: 'server',
  /** One per (server, request) that changed the server; parentId is the server, projectId its project. */
  instanceAction: 'instance_action',
} as const;

/** Nova's vm_state as the API shows it (`status`). */
export type ServerStatus = 'BUILD' | 'ACTIVE' | 'SHUTOFF' | 'REBOOT' | 'ERROR';

export interface ServerVolumeAttachment {
  /** Nova's attachment id is the volume id; kept separately for clarity. */
  volumeId: string;
  /** The Cinder attachment (new attach flow) that holds the connection. */
  attachmentId: string;
  device: string;
  /** What Cinder handed over: how the instance reaches the volume (NBD URI, export name…). */
  connectionInfo: Record<string, unknown> | null;
  deleteOnTermination: boolean;
}

export interface ServerData {
  name: string;
  userId: string;
  flavorId: string;
  /** '' when the server boots from a volume. */
  imageId: string;
  status: ServerStatus;
  /** Nova's power_state: 1 running, 4 shutdown, 0 no state (still building). */
  powerState: 0 | 1 | 4;
  taskState: string | null;
  metadata: Record<string, string>;
  /** Ports plugged into the server, in plug order (the first is the primary interface). */
  portIds: string[];
  /** Ports this server created for `--network`, deleted with it (Nova's preexisting=false). */
  ownedPortIds: string[];
  volumeAttachments: ServerVolumeAttachment[];
  keyName: string | null;
  availabilityZone: string;
  /** The host the server runs on (the topology's hostId, the ports' binding:host_id). */
  hostId: string;
  launchedAt: string | null;
  /** Why the server is in ERROR, if it is. */
  fault: { code: number; message: string; created: string } | null;
  /** Boot count: reboots append to the console log. */
  boots: number;
}

/**
 * Nova's instance action: what a request did to a server (create, stop, attach_volume, extend_volume
 * ...), who asked and when, and the events of the work done for it with their outcome. `message` is
 * 'Error' once an event failed, as Nova sets it.
 */
export interface InstanceActionData {
  action: string;
  requestId: string;
  userId: string;
  /** The caller's project (Nova records the context's project, not the server's). */
  callerProjectId: string;
  startTime: string;
  message: string | null;
  events: InstanceActionEvent[];
}

export interface InstanceActionEvent {
  /** Nova's names: compute_<method> for the work done by the compute side. */
  event: string;
  startTime: string;
  finishTime: string | null;
  result: 'Success' | 'Error' | null;
  /** Why it failed (the error Nova would show as a traceback); null unless result is Error. */
  traceback: string | null;
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ramMb: number;
  diskGb: number;
  ephemeralGb: number;
  swapMb: number;
  isPublic: boolean;
}

/** Metadata keys PocketStack reads to shape the simulated workload (documented in docs/dataplane.md). */
export const WORKLOAD_METADATA = {
  /** `tcp/22,tcp/80,udp/53`: the ports the workload accepts connections on. */
  listen: 'pocketstack:listen',
  /** `false` makes the workload ignore ICMP echo (default: it answers). */
  ping: 'pocketstack:ping',
  /** `10.9.0.1,192.0.2.0/28`: extra addresses the workload owns (a VIP, a routed prefix). */
  addresses: 'pocketstack:addresses',
} as const;
