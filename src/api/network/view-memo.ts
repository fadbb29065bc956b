/**
 * Rendered views memoized by entity identity, for resources whose service hands out the same frozen
 * entity object while the stored row's revision is unchanged (ports: PortService.list over the
 * store's document cache). A new revision is a new entity object, so an entry can never outlive the
 * content it was rendered from, and entries vanish with their entities (WeakMap): no invalidation.
 * Only for tables whose view is a function of the entity and the caller's admin flag alone.
 * Imports api/http only.
 */
import { type ResourceTable, type TableContext, isAdminContext, renderView } from '../http/resource-table/index.js';

/**
 * Memoizes only the JSON text (what every list without `fields=` writes, filtered and sorted ones
 * included): holding the view objects as well would keep another copy of every document; a projected
 * list renders just the fields it names (crud.ts).
 */
export class ViewMemo<E extends object> {
  private readonly admin = new WeakMap<E, string>();
  private readonly member = new WeakMap<E, string>();

  constructor(private readonly table: ResourceTable<E>) {}

  /** JSON.stringify of the entity's view for this caller. */
  json(entity: E, ctx: TableContext): string {
    const memo = isAdminContext(ctx) ? this.admin : this.member;
    let text = memo.get(entity);
    if (text === undefined) {
      text = JSON.stringify(renderView(this.table, entity, ctx));
      memo.set(entity, text);
    }
    return text;
  }
}
