/**
 * Policy: one rule per action, decided here and nowhere else. Rules are small predicates over the
 * request context and the target. Services call `authorize(ctx, action, target)`; a refusal is a
 * Forbidden whose message names the action, as Keystone's does.
 */
import { Forbidden } from '../errors.js';
import { hasRole, type RequestContext } from './context.js';

export interface PolicyTarget {
  projectId?: string | null;
  userId?: string | null;
  domainId?: string | null;
}

export type Rule = (ctx: RequestContext, target: PolicyTarget) => boolean;

export const rules = {
  admin: (ctx) => ctx.isAdmin,
  /** Any authenticated caller. */
  authenticated: (ctx) => ctx.userId !== null,
  /** The caller is the user the target names. */
  self: (ctx, t) => ctx.userId !== null && ctx.userId === t.userId,
  /** The caller's project is the target's, with at least the given role. */
  projectReader: (ctx, t) => ctx.projectId !== null && ctx.projectId === t.projectId && hasRole(ctx, 'reader'),
  projectMember: (ctx, t) => ctx.projectId !== null && ctx.projectId === t.projectId && hasRole(ctx, 'member'),
} satisfies Record<string, Rule>;

export const anyOf =
  (...rs: Rule[]): Rule =>
  (ctx, t) =>
    rs.some((r) => r(ctx, t));

export type PolicyTable = Readonly<Record<string, Rule>>;

export function authorize(table: PolicyTable, ctx: RequestContext, action: string, target: PolicyTarget = {}): void {
  const rule = table[action];
  if (!rule) throw new Error(`no policy rule for ${action}`);
  if (!rule(ctx, target)) {
    throw new Forbidden(`You are not authorized to perform the requested action: ${action}.`, 'Forbidden');
  }
}

export function isAllowed(table: PolicyTable, ctx: RequestContext, action: string, target: PolicyTarget = {}): boolean {
  const rule = table[action];
  return rule !== undefined && rule(ctx, target);
}
