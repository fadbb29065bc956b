/**
 * User messages (microversion 3.3): what an asynchronous operation that failed tells its owner,
 * since the 202 it answered could not. Written by the operation service in the transaction that
 * puts the resource in error; listed, shown and deleted by the owner. Pure: imports only core.
 */
import type { RequestContext } from '../identity/context.js';
import type { UserMessage } from '../model/volume.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/crypto.js';
import type { ResourceStore, ResourceTx, StoredResource } from '../ports/resource-store.js';
import { NotFound } from '../errors.js';
import { KIND, authorizeVolume, isoNow } from './common.js';

/** How long a message is kept (Cinder's message_ttl default: 30 days). */
const TTL_MS = 30 * 24 * 3600 * 1000;

export interface NewMessage {
  projectId: string;
  requestId: string;
  resourceType: UserMessage['resourceType'];
  resourceId: string | null;
  eventId: string;
  userMessage: string;
}

export async function recordMessage(tx: ResourceTx, ids: IdGenerator, clock: Clock, m: NewMessage): Promise<void> {
  await tx.insert<UserMessage>(KIND.message, {
    id: ids.uuid(),
    projectId: m.projectId,
    data: {
      resourceType: m.resourceType,
      resourceId: m.resourceId,
      eventId: m.eventId,
      userMessage: m.userMessage,
      level: 'ERROR',
      requestId: m.requestId,
      expiresAt: isoNow(clock.now() + TTL_MS),
    },
  });
}

const messageNotFound = (id: string) => new NotFound(`Message ${id} could not be found.`, 'MessageNotFound');

export class MessageService {
  constructor(
    private readonly store: ResourceStore,
    private readonly clock: Clock,
  ) {}

  async list(ctx: RequestContext): Promise<StoredResource<UserMessage>[]> {
    authorizeVolume(ctx, 'message:get');
    const now = isoNow(this.clock.now());
    const rows = ctx.isAdmin ? await this.store.list<UserMessage>(KIND.message) : await this.store.list<UserMessage>(KIND.message, { projectId: ctx.projectId ?? '' });
    return rows.filter((r) => r.data.expiresAt > now);
  }

  async get(ctx: RequestContext, id: string): Promise<StoredResource<UserMessage>> {
    authorizeVolume(ctx, 'message:get');
    const row = await this.store.get<UserMessage>(KIND.message, id);
    if (!row || (!ctx.isAdmin && row.projectId !== ctx.projectId)) throw messageNotFound(id);
    return row;
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const row = await this.get(ctx, id);
    authorizeVolume(ctx, 'message:delete', row.projectId);
    await this.store.delete(KIND.message, id);
  }
}
