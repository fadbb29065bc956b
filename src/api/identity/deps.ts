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
