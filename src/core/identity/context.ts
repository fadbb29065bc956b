/**
 * The request context: who is calling, in which scope, with which effective roles. Built once by the
 * auth hook from a validated token and passed explicitly into every service call.
 */
import { IMPLIED_ROLES } from '../model/identity.js';

export interface RequestContext {
  requestId: string;
  userId: string | null;
  userName: string | null;
  userDomainId: string | null;
  /** Project scope, when the token is project-scoped. */
  projectId: string | null;
  projectName: string | null;
  projectDomainId: string | null;
  /** Domain scope, when the token is domain-scoped. */
  domainId: string | null;
  /** Effective role names, implied roles included (admin ⊃ member ⊃ reader). */
  roles: readonly string[];
  isAdmin: boolean;
  /** Negotiated microversion of the API being called, when it has microversions. */
  microversion?: string;
}

export function anonymousContext(requestId: string): RequestContext {
  return {
    requestId,
    userId: null,
    userName: null,
    userDomainId: null,
    projectId: null,
    projectName: null,
    projectDomainId: null,
    domainId: null,
    roles: [],
    isAdmin: false,
  };
}

/** Expands role names with the roles they imply, deduplicated and sorted. */
export function effectiveRoles(names: Iterable<string>): string[] {
  const out = new Set<string>();
  const add = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const implied of IMPLIED_ROLES[n] ?? []) add(implied);
  };
  for (const n of names) add(n);
  return [...out].sort();
}

export const hasRole = (ctx: RequestContext, role: string): boolean => ctx.roles.includes(role);
