/**
 * What a simulated server does on the network, read from its metadata: which TCP/UDP ports it
 * listens on (`pocketstack:listen=tcp/22,tcp/80`), whether it answers ping, and extra addresses it
 * owns. Validated when the server is created or its metadata set, so a typo is a 400 instead of a
 * silently closed port. Pure core.
 */
import { InvalidInput } from '../errors.js';
import { WORKLOAD_METADATA, type ServerStatus } from '../model/compute.js';
import type { Listener } from '../network/topology/topology.js';

export interface Workload {
  listeners: Listener[];
  answersPing: boolean;
  extraAddresses: string[];
}

/** Parses `tcp/22, tcp/80 udp/53` (commas or spaces); throws InvalidInput on anything else. */
export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  const seen = new Set<string>();
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(tcp|udp)\/(\d{1,5})$/i.exec(item);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      throw new InvalidInput(`Invalid ${WORKLOAD_METADATA.listen} entry '${item}': expected tcp/PORT or udp/PORT with PORT in 1-65535.`, 'ValidationError');
    }
    const l: Listener = { protocol: m[1]!.toLowerCase() as Listener['protocol'], port };
    const key = `${l.protocol}/${l.port}`;
    if (!seen.has(key)) out.push(l);
    seen.add(key);
  }
  return out;
}

function parsePing(text: string | undefined): boolean {
  if (text === undefined) return true;
  const v = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  throw new InvalidInput(`Invalid ${WORKLOAD_METADATA.ping} value '${text}': expected true or false.`, 'ValidationError');
}

function parseAddresses(text: string | undefined): string[] {
  if (!text) return [];
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Throws InvalidInput when a PocketStack metadata key holds something the simulator cannot use. */
export function validateWorkloadMetadata(metadata: Record<string, string>): void {
  workloadOf(metadata, 'ACTIVE');
}

/**
 * The workload as the data plane should simulate it. A server that is not running (building,
 * stopped, in error) still owns its addresses but answers nothing: no listener, no ping.
 */
export function workloadOf(metadata: Record<string, string>, status: ServerStatus): Workload {
  const listeners = parseListeners(metadata[WORKLOAD_METADATA.listen] ?? '');
  const answersPing = parsePing(metadata[WORKLOAD_METADATA.ping]);
  const extraAddresses = parseAddresses(metadata[WORKLOAD_METADATA.addresses]);
  const running = status === 'ACTIVE' || status === 'BUILD';
  // BUILD counts as running: the agent flips BUILD to ACTIVE only after the data plane realized the
  // workload, so the spec must already describe the running server.
  return running ? { listeners, answersPing, extraAddresses } : { listeners: [], answersPing: false, extraAddresses };
}
