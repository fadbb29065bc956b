/**
 * Rendered views memoized by entity identity, for resources whose service hands out the same frozen
 * entity object while the stored row's revision is unchanged (ports: PortService.list over the
 * store's document cache). A new revision is a new entity object, so an entry can never outlive the
 * content it was rendered from, and entries vanish with their entities (WeakMap): no invalidation.
 * Only for tables whose view is a function of the entity and the caller's admin flag alone.
 * Imports api/http only.
 */
import { type ResourceTable, type TableContext, isAdminContext, renderView } from '../http/resource-table/index.js';

type View = Record<string, unknown>;

interface Rendered {
  view: View;
  /** JSON.stringify(view), made on first use by an unprojected list. */
  json?: string;
}

export class ViewMemo<E extends object> {
  private readonly admin = new WeakMap<E, Rendered>();
  private readonly member = new WeakMap<E, Rendered>();

  constructor(private readonly table: ResourceTable<E>) {}

  private rendered(entity: E, ctx: TableContext): Rendered {
    const memo = isAdminContext(ctx) ? this.admin : this.member;
    let r = memo.get(entity);
    if (!r) {
      r = { view: Object.freeze(renderView(this.table, entity, ctx)) };
      memo.set(entity, r);
    }
    return r;
  }

  /** The entity's view for this caller (frozen; shared by every list). */
  view(entity: E, ctx: TableContext): View {
    return this.rendered(entity, ctx).view;
  }

  /** The view's JSON text. */
  json(entity: E, ctx: TableContext): string {
    const r = this.rendered(entity, ctx);
    return (r.json ??= JSON.stringify(r.view));
  }
}
