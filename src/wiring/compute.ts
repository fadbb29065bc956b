/**
 * Compute module: the Nova v2.1 subset under /compute, the simulated data plane (SimDataplaneDriver)
 * and the network agent that realizes the desired state in it, plus the trace routes of the
 * `pocketstack-trace` Neutron extension (they need the driver, which lives here).
 * Part of the composition root: may import every layer.
 *
 * The compute services call Neutron in-process through the networking module's own NetworkServices
 * (one IPAM cache, one set of hints), so the networking module must mount first.
 */
import { NetworkAgent } from '../agent/network/network-agent.js';
import { registerComputeApi } from '../api/compute/index.js';
import { registerTraceRoutes } from '../api/network/routes-trace.js';
import { markServersActive } from '../core/compute/server-status.js';
import { ServerService } from '../core/compute/server-service.js';
import { DEFAULT_HOST_ID } from '../core/network/topology/topology.js';
import { writePortStatuses } from '../core/network/service/port-status.js';
import { TraceService } from '../core/network/trace/trace-service.js';
import { SimDataplaneDriver } from '../drivers/dataplane/sim/sim-dataplane-driver.js';
import type { ModuleFactory } from './module.js';
import { InvalidInput } from '../core/errors.js';
import { defaultNetworkConfig } from './network.js';

export const computeModule: ModuleFactory = ({ app, resources, changes, ids, logger, shared }) => {
  const log = logger.child({ module: 'network-agent' });
  const config = defaultNetworkConfig();
  const network = shared.network;
  if (!network) throw new Error('The compute module needs the networking module: mount it first (src/wiring/modules.ts).');
  const requireAttacher = () => {
    if (!shared.volumeAttacher) throw new InvalidInput('Block storage is not available in this deployment.', 'VolumeServiceUnavailable');
    return shared.volumeAttacher;
  };
  const driver = new SimDataplaneDriver();
  const agent = new NetworkAgent({
    store: resources,
    feed: changes,
    driver,
    planner: { networkHostId: DEFAULT_HOST_ID, underlayMtu: config.underlayMtu },
    writePortStatuses: (s) => writePortStatuses(resources, s),
    markServersActive: (serverIds) => markServersActive(resources, serverIds, new Date().toISOString()),
    logger: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) },
  });
  shared.networkAgent = () => {
    const s = agent.status();
    return { host: DEFAULT_HOST_ID, dataplane: 'sim', startedAt: s.startedAt, heartbeatAt: s.heartbeatAt, realizedGeneration: s.realizedGeneration, lastError: s.lastError };
  };
  let started = false;
  // A trace must see every write its caller made before asking; before start there is nothing to wait for.
  const realized = async () => {
    if (started) await agent.sync();
  };
  const servers = new ServerService({
    store: resources,
    uuid: () => ids.uuid(),
    now: () => new Date().toISOString(),
    network,
    hostId: DEFAULT_HOST_ID,
    tracer: { trace: async (probe) => (await realized(), driver.trace(probe)) },
    // Looked up at call time: the block storage module may mount after this one, or not at all.
    volumes: {
      attach: (ctx, v, s, m) => requireAttacher().attach(ctx, v, s, m),
      detach: (ctx, v, a) => requireAttacher().detach(ctx, v, a),
      assertVisible: (ctx, v) => requireAttacher().assertVisible(ctx, v),
      servedSize: (a) => requireAttacher().servedSize(a),
    },
  });
  shared.serverEvents = servers.events;
  registerComputeApi(app, { servers });
  registerTraceRoutes(app, new TraceService({ store: resources, tracer: driver, realized }));
  return {
    name: 'compute',
    catalog: (base) => [{ type: 'compute', name: 'nova', description: 'Compute (Nova v2.1 subset, simulated instances)', url: `${base}/compute/v2.1` }],
    async start() {
      await agent.start();
      started = true;
    },
    async stop() {
      started = false;
      await agent.stop();
    },
  };
};
