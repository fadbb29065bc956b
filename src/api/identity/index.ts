/**
 * The Keystone v3 API under /identity. Routes are thin: parse the body, one service call, render.
 * Imports core services only.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../../core/identity/auth-service.js';
import type { CatalogServiceUseCases } from '../../core/identity/catalog-service.js';
import type { RequestContext } from '../../core/identity/context.js';
import { identityPolicy } from '../../core/identity/identity-policy.js';
import type { IdentityService } from '../../core/identity/identity-service.js';
import { authorize, type PolicyTarget } from '../../core/identity/policy.js';
import { registerAuthRoutes } from './routes-auth.js';
import { registerCatalogRoutes } from './routes-catalog.js';
import { registerResourceRoutes } from './routes-resources.js';

export interface IdentityApiDeps {
  auth: AuthService;
  identity: IdentityService;
  catalog: CatalogServiceUseCases;
  authorize(ctx: RequestContext, action: string, target?: PolicyTarget): void;
}

export function registerIdentityApi(app: FastifyInstance, services: Omit<IdentityApiDeps, 'authorize'>): void {
  const deps: IdentityApiDeps = { ...services, authorize: (ctx, action, target) => authorize(identityPolicy, ctx, action, target) };
  registerAuthRoutes(app, deps);
  registerResourceRoutes(app, deps);
  registerCatalogRoutes(app, deps);
}
