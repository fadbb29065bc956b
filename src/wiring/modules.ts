/**
 * The service modules this build mounts, in order. Each module's own wiring file (network.ts,
 * volume.ts, compute.ts, …) adds itself here.
 */
import type { ModuleFactory } from './module.js';
import { networkModule } from './network.js';
import { volumeModule } from './volume.js';
import { imageModule } from './image.js';
import { computeModule } from './compute.js';

export const MODULES: ModuleFactory[] = [networkModule, volumeModule, imageModule, computeModule];
