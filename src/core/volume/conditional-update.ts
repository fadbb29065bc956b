/**
 * Cinder's conditional_update, on the resource store's revisions: read a row, check the move is
 * allowed from its current state, write the new document only if nobody changed the row meanwhile
 * (expectRevision). A lost race re-reads and re-checks, so the loser sees the winner's state and
 * gets the same error a later request would. Pure: imports core only.
 */
import { PreconditionFailed } from '../errors.js';
import type { ResourceTx, StoredResource } from '../ports/resource-store.js';

export interface CasOptions<T> {
  /** Throws (InvalidState, NotFound, ...) when the move is not allowed from `row`. */
  check(row: StoredResource<T>): void;
  /** The new document. */
  apply(row: StoredResource<T>): T;
  /** Thrown when the row does not exist. */
  notFound(): Error;
}

const ATTEMPTS = 8;

export async function conditionalUpdate<T>(tx: ResourceTx, kind: string, id: string, opts: CasOptions<T>): Promise<StoredResource<T>> {
  for (let attempt = 0; ; attempt++) {
    const row = await tx.getForUpdate<T>(kind, id);
    if (!row) throw opts.notFound();
    opts.check(row);
    try {
      return await tx.update<T>(kind, id, opts.apply(row), { expectRevision: row.revision });
    } catch (e) {
      if (!(e instanceof PreconditionFailed) || attempt >= ATTEMPTS) throw e;
    }
  }
}
