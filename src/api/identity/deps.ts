/** What the Keystone routes need: the identity use cases, and the policy check for token actions. */
import type { AuthService } from '../../core/identity/auth-service.js';
import type { CatalogServiceUseCases } from '../../core/identity/catalog-service.js';
import type { RequestContext } from '../../core/identity/context.js';
import type { IdentityService } from '../../core/identity/identity-service.js';
import type { PolicyTarget } from '../../core/identity/policy.js';

export interface IdentityApiDeps {
  auth: AuthService;
  identity: IdentityService;
  catalog: CatalogServiceUseCases;
  authorize(ctx: RequestContext, action: string, target?: PolicyTarget): void;
}

/**
 * Keystone answers HEAD wherever it answers GET (a token check, a grant check); the server adds HEAD
 * twins only where a route asks, since ~400 twins for the other APIs cost start-up time and nothing uses them.
 */
export const HEAD_TOO = { exposeHeadRoute: true } as const;
