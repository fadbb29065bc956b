/**
 * The console log of a simulated server (os-getConsoleOutput): a short boot transcript per boot
 * that tells the user what the network gave the instance. The DHCP lines come from a real DHCP
 * probe through the data plane's tracer, so "no lease" here means the simulated instance really
 * got none (DHCP off, port down), not a made-up success. Pure core.
 */
import type { ServerData } from '../model/compute.js';
import type { PortData } from '../model/network.js';
import type { PacketTracer } from '../ports/dataplane-driver.js';
import type { StoredResource } from '../ports/resource-store.js';
import { workloadOf } from './workload.js';

export async function consoleLog(
  server: StoredResource<ServerData>,
  ports: StoredResource<PortData>[],
  tracer: PacketTracer | undefined,
  at: string,
): Promise<string[]> {
  const d = server.data;
  const lines: string[] = [];
  const boots = Math.max(1, d.boots);
  for (let boot = 1; boot <= boots; boot++) {
    const last = boot === boots;
    lines.push(`[    0.000000] PocketStack simulated instance ${server.id} (${d.name}) boot ${boot}`);
    lines.push(`[    0.010000] flavor ${d.flavorId}, ${d.imageId ? `image ${d.imageId}` : 'boot from volume'}`);
    if (!last) {
      lines.push('[   10.000000] reboot: Restarting system');
      continue;
    }
    const byId = new Map(ports.map((p) => [p.id, p]));
    let n = 0;
    for (const portId of d.portIds) {
      const p = byId.get(portId);
      const ifname = `eth${n++}`;
      if (!p) continue;
      lines.push(`[    1.${String(n).padStart(6, '0')}] ${ifname}: link up, mac ${p.data.macAddress}, port ${p.id} (${p.data.status})`);
      if (!tracer) {
        for (const f of p.data.fixedIps) lines.push(`cloud-init: ${ifname} static ${f.ipAddress}`);
        continue;
      }
      const r = await tracer.trace({ from: { portId }, to: { portId }, protocol: 'dhcp' });
      const o = r.dhcpOffer;
      if (r.verdict === 'delivered' && o) {
        lines.push(`udhcpc: ${ifname}: sending discover`);
        lines.push(`udhcpc: ${ifname}: lease of ${o.ipAddress} obtained from ${o.serverIp ?? 'dhcp server'}, lease time ${o.leaseSeconds}`);
        lines.push(`cloud-init: ${ifname} ${o.cidr} gateway ${o.gatewayIp ?? 'none'} mtu ${o.mtu} dns ${o.dnsNameservers.join(' ') || 'none'}`);
        for (const h of o.hostRoutes) lines.push(`cloud-init: ${ifname} route ${h.destination} via ${h.nexthop}`);
      } else {
        lines.push(`udhcpc: ${ifname}: sending discover`);
        lines.push(`udhcpc: ${ifname}: no lease, failing (${r.summary})`);
      }
    }
    if (d.portIds.length === 0) lines.push('cloud-init: no network interfaces');
    for (const v of d.volumeAttachments) lines.push(`block: ${v.device} volume ${v.volumeId} attached`);
    const w = workloadOf(d.metadata, d.status);
    if (d.status === 'SHUTOFF') {
      lines.push('[   20.000000] reboot: Power down');
      continue;
    }
    for (const l of w.listeners) lines.push(`workload: listening on ${l.protocol}/${l.port}`);
    if (w.listeners.length === 0) lines.push('workload: no listeners (set server metadata pocketstack:listen=tcp/22,tcp/80)');
    lines.push(`workload: ${w.answersPing ? 'answers' : 'ignores'} ICMP echo`);
    lines.push(`${d.name} login: (simulated, ${at})`);
  }
  return lines;
}
