/**
 * Tags on any taggable resource (Neutron's standard-attr-tag): replace all, add one, remove one,
 * remove all, check one. Each change bumps the resource's revision, as in Neutron. Pure core.
 */
import { InvalidInput, NotFound } from '../../errors.js';
import type { RequestContext } from '../../identity/context.js';
import type { NetworkDeps } from './network-deps.js';
import { authorizeNetwork } from './network-policy.js';
import type { ResourceTx, StoredResource } from '../../ports/resource-store.js';
import { KIND, type Network } from '../../model/network.js';
import { canSeeNetwork, grantsFor, hydrate, notFound, owns } from './scope.js';

type Taggable = { tags?: string[]; shared?: boolean };

/** Networks are visible as scope.ts says (RBAC grants); other kinds to their project and shared ones. */
async function isVisible(tx: ResourceTx, ctx: RequestContext, kind: string, row: StoredResource<Taggable>): Promise<boolean> {
  if (ctx.isAdmin || owns(ctx, row.projectId) || row.data.shared === true) return true;
  return kind === KIND.network && canSeeNetwork(ctx, hydrate(row) as unknown as Network, await grantsFor(tx, ctx));
}

const MAX_TAG_LENGTH = 255;

function checkTag(tag: string): void {
  if (typeof tag !== 'string' || tag === '' || tag.length > MAX_TAG_LENGTH || tag.includes(',')) {
    throw new InvalidInput(`Invalid input for tags. Reason: '${String(tag)}' is not a valid tag.`, 'HTTPBadRequest');
  }
}

export class TagService {
  constructor(private readonly deps: NetworkDeps) {}

  private async change(ctx: RequestContext, kind: string, id: string, fn: (tags: string[]) => string[]): Promise<string[]> {
    return this.deps.store.transaction(async (tx) => {
      const row = await tx.getForUpdate<Taggable>(kind, id);
      if (!row || !(await isVisible(tx, ctx, kind, row))) throw notFound(kind, id);
      authorizeNetwork(ctx, `update_${kind}`, { projectId: row.projectId });
      const tags = fn(row.data.tags ?? []);
      await tx.update(kind, id, { ...row.data, tags });
      return tags;
    });
  }

  replace(ctx: RequestContext, kind: string, id: string, tags: unknown): Promise<string[]> {
    if (!Array.isArray(tags)) throw new InvalidInput(`Invalid input for tags. Reason: '${String(tags)}' is not a list.`, 'HTTPBadRequest');
    tags.forEach(checkTag);
    return this.change(ctx, kind, id, () => [...new Set(tags as string[])]);
  }

  add(ctx: RequestContext, kind: string, id: string, tag: string): Promise<string[]> {
    checkTag(tag);
    return this.change(ctx, kind, id, (t) => (t.includes(tag) ? t : [...t, tag]));
  }

  async remove(ctx: RequestContext, kind: string, id: string, tag: string): Promise<void> {
    await this.change(ctx, kind, id, (t) => {
      if (!t.includes(tag)) throw new NotFound(`Tag ${tag} could not be found.`, 'TagNotFound');
      return t.filter((x) => x !== tag);
    });
  }

  async removeAll(ctx: RequestContext, kind: string, id: string): Promise<void> {
    await this.change(ctx, kind, id, () => []);
  }

  async list(ctx: RequestContext, kind: string, id: string): Promise<string[]> {
    const row = await this.deps.store.get<Taggable>(kind, id);
    if (!row || !(await isVisible(this.deps.store, ctx, kind, row))) throw notFound(kind, id);
    return row.data.tags ?? [];
  }

  async has(ctx: RequestContext, kind: string, id: string, tag: string): Promise<void> {
    if (!(await this.list(ctx, kind, id)).includes(tag)) throw new NotFound(`Tag ${tag} could not be found.`, 'TagNotFound');
  }
}
