/**
 * Instance actions (Nova's os-instance-actions): one record per request that changed a server, with
 * the event of the compute work done for it and how that ended. An action is written when the work
 * starts (so a failure half-way stays visible) and its event closed when the work ends; work done
 * inside one transaction is recorded whole in that transaction. The records go with their server
 * (microversion 2.1 cannot read a deleted server's actions). Pure core.
 */
import { DomainError, NotFound } from '../errors.js';
import type { RequestContext } from '../identity/context.js';
import { isAllowed } from '../identity/policy.js';
import { COMPUTE_KIND, type InstanceActionData } from '../model/compute.js';
import type { ResourceStore, ResourceTx, StoredResource } from '../ports/resource-store.js';
import { COMPUTE_POLICY, authorizeCompute } from './compute-deps.js';

export type InstanceAction = StoredResource<InstanceActionData>;

/** Nova's action names and the compute event each one records (compute_<manager method>). */
export const SERVER_ACTION_EVENTS = {
  create: 'compute__do_build_and_run_instance',
  delete: 'compute_terminate_instance',
  start: 'compute_start_instance',
  stop: 'compute_stop_instance',
  reboot: 'compute_reboot_instance',
  attach_volume: 'compute_attach_volume',
  detach_volume: 'compute_detach_volume',
  attach_interface: 'compute_attach_interface',
  detach_interface: 'compute_detach_interface',
  extend_volume: 'compute_extend_volume',
} as const;

export type ServerActionName = keyof typeof SERVER_ACTION_EVENTS;

/** Who an action is attributed to: the request's id, user and project. */
export interface ActionActor {
  requestId: string;
  userId: string | null;
  projectId: string | null;
}

export const actorOf = (ctx: RequestContext): ActionActor => ({ requestId: ctx.requestId, userId: ctx.userId, projectId: ctx.projectId });

/** What an event shows as its traceback: the error's type and message (no stack: nothing to debug there). */
export function describeFailure(e: unknown): string {
  if (e instanceof DomainError) return `${e.type}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/**
 * Closes the open event of a server's latest `action` still open: Success, or Error with `failure`.
 * For work finished by another part of the system (the network agent ending a build). Inside `tx`.
 */
export async function finishOpenAction(tx: ResourceTx, serverId: string, action: ServerActionName, now: string, failure?: string): Promise<void> {
  const rows = await tx.list<InstanceActionData>(COMPUTE_KIND.instanceAction, { parentId: serverId });
  const open = rows.filter((r) => r.data.action === action && r.data.events.some((e) => e.finishTime === null)).sort(newestFirst)[0];
  if (open) await tx.update<InstanceActionData>(COMPUTE_KIND.instanceAction, open.id, closeEvents(open.data, now, failure));
}

function closeEvents(d: InstanceActionData, now: string, failure: string | undefined): InstanceActionData {
  return {
    ...d,
    message: failure !== undefined ? 'Error' : d.message,
    events: d.events.map((e) => (e.finishTime !== null ? e : { ...e, finishTime: now, result: failure !== undefined ? 'Error' : 'Success', traceback: failure ?? null })),
  };
}

/** Nova lists the newest first. */
function newestFirst(a: InstanceAction, b: InstanceAction): number {
  if (a.data.startTime !== b.data.startTime) return a.data.startTime < b.data.startTime ? 1 : -1;
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

export class InstanceActionLog {
  constructor(private readonly deps: { store: ResourceStore; uuid(): string; now(): string }) {}

  /** Starts `action` on a server with its compute event open, inside the caller's transaction. */
  async begin(tx: ResourceTx, server: { id: string; projectId: string }, actor: ActionActor, action: ServerActionName): Promise<string> {
    const id = this.deps.uuid();
    const now = this.deps.now();
    await tx.insert<InstanceActionData>(COMPUTE_KIND.instanceAction, {
      id,
      projectId: server.projectId,
      parentId: server.id,
      data: {
        action,
        requestId: actor.requestId,
        userId: actor.userId ?? '',
        callerProjectId: actor.projectId ?? '',
        startTime: now,
        message: null,
        events: [{ event: SERVER_ACTION_EVENTS[action], startTime: now, finishTime: null, result: null, traceback: null }],
      },
    });
    return id;
  }

  /** Closes the action's open event: Success, or Error with the failure. Gone already (the server was deleted) is fine. */
  async end(actionId: string, failure?: unknown, tx?: ResourceTx): Promise<void> {
    const run = async (t: ResourceTx) => {
      const row = await t.getForUpdate<InstanceActionData>(COMPUTE_KIND.instanceAction, actionId);
      if (!row) return;
      await t.update<InstanceActionData>(COMPUTE_KIND.instanceAction, actionId, closeEvents(row.data, this.deps.now(), failure === undefined ? undefined : describeFailure(failure)));
    };
    await (tx ? run(tx) : this.deps.store.transaction(run));
  }

  /** An action whose work is done in the transaction that records it (start, stop, reboot). */
  async record(tx: ResourceTx, server: { id: string; projectId: string }, actor: ActionActor, action: ServerActionName): Promise<void> {
    await this.end(await this.begin(tx, server, actor, action), undefined, tx);
  }

  /** Runs `work` between begin and end: the action is visible while it runs and says how it ended. */
  async around<T>(server: { id: string; projectId: string }, actor: ActionActor, action: ServerActionName, work: () => Promise<T>): Promise<T> {
    const id = await this.deps.store.transaction((tx) => this.begin(tx, server, actor, action));
    let out: T;
    try {
      out = await work();
    } catch (e) {
      await this.end(id, e);
      throw e;
    }
    await this.end(id);
    return out;
  }

  /** Deletes every action of a server (with the server, in its transaction). */
  async removeAll(tx: ResourceTx, serverId: string): Promise<void> {
    for (const r of await tx.list<InstanceActionData>(COMPUTE_KIND.instanceAction, { parentId: serverId })) await tx.delete(COMPUTE_KIND.instanceAction, r.id);
  }

  /** GET /servers/{id}/os-instance-actions: the caller already passed the server's visibility check. */
  async list(ctx: RequestContext, server: { id: string; projectId: string }): Promise<InstanceAction[]> {
    authorizeCompute(ctx, 'os-instance-actions:list', server.projectId);
    return (await this.deps.store.list<InstanceActionData>(COMPUTE_KIND.instanceAction, { parentId: server.id })).sort(newestFirst);
  }

  /**
   * GET /servers/{id}/os-instance-actions/{request_id}. `withEvents` follows Nova's
   * os-instance-actions:events rule (admin only at 2.1: events may carry error details).
   */
  async show(ctx: RequestContext, server: { id: string; projectId: string }, requestId: string): Promise<{ action: InstanceAction; withEvents: boolean }> {
    authorizeCompute(ctx, 'os-instance-actions:show', server.projectId);
    const rows = await this.deps.store.list<InstanceActionData>(COMPUTE_KIND.instanceAction, { parentId: server.id });
    const action = rows.filter((r) => r.data.requestId === requestId).sort(newestFirst)[0];
    if (!action) throw new NotFound(`Action for request_id ${requestId} on instance ${server.id} not found`, 'InstanceActionNotFound');
    return { action, withEvents: isAllowed(COMPUTE_POLICY, ctx, 'os-instance-actions:events', { projectId: server.projectId }) };
  }
}
