/**
 * Rendering an entity as its API view from the resource table: visible attributes in declaration
 * order, admin-only ones for admins only, values read from the domain property (`source`) or
 * computed (`get`), missing values as null (Neutron and Cinder show unset attributes as null), and
 * an optional `fields=` projection that computes only what was asked.
 * Pure: imports only this folder.
 */
import { type Field, type ResourceTable, type TableContext, visibleFields } from './resource-table.js';

export type ViewObject = Record<string, unknown>;

/** One attribute's view value: computed (`get`) or read from `source`; unset shows as null. */
export function fieldValue<E>(f: Field<E>, entity: E, ctx: TableContext): unknown {
  const value = f.get ? f.get(entity, ctx) : (entity as Record<string, unknown>)[f.source];
  return value === undefined ? null : value;
}

export function renderView<E>(
  table: ResourceTable<E>,
  entity: E,
  ctx: TableContext,
  fields?: readonly string[] | null,
): ViewObject {
  const wanted = fields ? new Set(fields) : null;
  const view: ViewObject = {};
  for (const f of visibleFields(table, ctx)) {
    if (wanted && !wanted.has(f.wireName)) continue;
    view[f.wireName] = fieldValue(f, entity, ctx);
  }
  return view;
}

/** Renders many entities; `{ <name>: view }` / `{ <collection>: [...] }` wrappers are the caller's. */
export function renderViews<E>(table: ResourceTable<E>, entities: readonly E[], ctx: TableContext): ViewObject[] {
  return entities.map((e) => renderView(table, e, ctx));
}

/** `{ "network": {...} }` */
export function memberBody<E>(table: ResourceTable<E>, entity: E, ctx: TableContext): Record<string, ViewObject> {
  return { [table.name]: renderView(table, entity, ctx) };
}
