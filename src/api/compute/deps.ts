/**
 * What the compute routes receive from the composition root: the compute services. Imports core.
 */
import type { ServerService } from '../../core/compute/server-service.js';

export interface ComputeApiDeps {
  servers: ServerService;
}
