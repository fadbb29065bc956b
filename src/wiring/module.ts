/**
 * A service module mounted by the composition root: it registers its routes, names its catalog
 * entries once the URL is known, and may start and stop background work (the agent, the NBD server).
 * Part of the composition root: wiring files may import every layer.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CatalogSpec } from '../core/identity/bootstrap.js';
import type { ResourceStore } from '../core/ports/resource-store.js';
import type { IdGenerator } from '../core/ports/crypto.js';
import type { Clock } from '../core/ports/clock.js';
import type { ChangeFeed } from '../core/ports/identity-store.js';
import type { VolumeAttacher } from '../core/compute/compute-deps.js';
import type { ServerEvents } from '../core/compute/server-events.js';
import type { AgentProbe, NetworkServices } from '../core/network/service/index.js';

export interface ModuleDeps {
  app: FastifyInstance;
  resources: ResourceStore;
  /** The global generation and change feed, for modules that follow desired state (the network agent). */
  changes: Pick<ChangeFeed, 'currentGeneration' | 'changesSince'>;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  home: string;
  /** Looks up a Keystone project by id (for quotas and project-existence checks). */
  projectExists(id: string): Promise<boolean>;
  /** Services one module offers another in-process (Nova calling Cinder); filled as modules mount. */
  shared: SharedServices;
}

export interface SharedServices {
  /** Set by the networking module; the compute module plugs instances in through the same services. */
  network?: NetworkServices;
  /** Set by the compute module, which runs the network agent; the agent API reports it. */
  networkAgent?: AgentProbe;
  /** Set by the block storage module; the compute module attaches volumes through it. */
  volumeAttacher?: VolumeAttacher;
  /** Set by the compute module; block storage sends it Nova's external events (volume-extended). */
  serverEvents?: ServerEvents;
}

export interface MountedModule {
  name: string;
  /** Catalog entries, given the server's base URL (e.g. http://127.0.0.1:8080). */
  catalog(baseUrl: string): CatalogSpec[];
  /** Called after the server listens, before the ready line. */
  start?(baseUrl: string): Promise<void>;
  /** Called on shutdown, after the HTTP server stopped taking requests. */
  stop?(): Promise<void>;
}

export type ModuleFactory = (deps: ModuleDeps) => MountedModule | Promise<MountedModule>;
