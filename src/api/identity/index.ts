/**
 * The Keystone v3 API under /identity. Routes are thin: parse the body, one service call, render.
 * Imports core services only.
 */
import type { FastifyInstance } from 'fastify';
import { identityPolicy } from '../../core/identity/identity-policy.js';
import { authorize } from '../../core/identity/policy.js';
import type { IdentityApiDeps } from './deps.js';
import { registerAuthRoutes } from './routes-auth.js';
import { registerCatalogRoutes } from './routes-catalog.js';
import { registerResourceRoutes } from './routes-resources.js';

export function registerIdentityApi(app: FastifyInstance, services: Omit<IdentityApiDeps, 'authorize'>): void {
  const deps: IdentityApiDeps = { ...services, authorize: (ctx, action, target) => authorize(identityPolicy, ctx, action, target) };
  registerAuthRoutes(app, deps);
  registerResourceRoutes(app, deps);
  registerCatalogRoutes(app, deps);
}
