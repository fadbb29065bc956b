/**
 * The persistence the networking, volume and compute services share: typed documents by kind, plus
 * unique claims (addresses, MACs, segment ids) that make allocation race-free on every engine.
 * Implemented by src/store/sql over SQLite and PostgreSQL; one contract suite runs against both.
 *
 * Transaction contract: everything inside `transaction(fn)` commits or rolls back as one. On SQLite
 * transactions are serialized; on PostgreSQL they run concurrently and `claim` and `getForUpdate` are
 * what keep them correct. Never call a driver (data plane, volume) inside a transaction.
 */

export interface StoredResource<T> {
  id: string;
  projectId: string;
  /** The owning resource, when there is one (a port's network, a rule's security group). */
  parentId: string | null;
  /** Starts at 1 and grows by one on every update (Neutron's revision_number). */
  revision: number;
  createdAt: string;
  updatedAt: string;
  data: T;
}

export interface ListWhere {
  projectId?: string;
  parentId?: string;
  ids?: readonly string[];
}

export interface NewResource<T> {
  id: string;
  projectId: string;
  parentId?: string | null;
  data: T;
}

export interface ResourceTx {
  get<T>(kind: string, id: string): Promise<StoredResource<T> | undefined>;
  /** Like get, and locks the row until the transaction ends (PostgreSQL); use before an update. */
  getForUpdate<T>(kind: string, id: string): Promise<StoredResource<T> | undefined>;
  list<T>(kind: string, where?: ListWhere): Promise<StoredResource<T>[]>;
  count(kind: string, where?: ListWhere): Promise<number>;
  /** Throws Conflict when the id exists. */
  insert<T>(kind: string, r: NewResource<T>): Promise<StoredResource<T>>;
  /**
   * Replaces the document and bumps its revision. With `expectRevision`, a compare-and-swap: throws
   * PreconditionFailed when the stored revision differs. Throws NotFound when the row is gone.
   * `projectId` moves the resource to another project (a Cinder volume transfer).
   */
  update<T>(kind: string, id: string, data: T, opts?: { expectRevision?: number; parentId?: string | null; projectId?: string }): Promise<StoredResource<T>>;
  /** Returns false when it was already gone. */
  delete(kind: string, id: string): Promise<boolean>;

  /** Claims a unique key in a namespace for an owner; false when someone holds it already. */
  claim(namespace: string, key: string, owner: string): Promise<boolean>;
  release(namespace: string, key: string): Promise<void>;
  /** Releases every key the owner holds in namespaces starting with `namespacePrefix`. */
  releaseOwner(namespacePrefix: string, owner: string): Promise<void>;
  listClaims(namespace: string): Promise<Array<{ key: string; owner: string }>>;
  claimsOf(namespacePrefix: string, owner: string): Promise<Array<{ namespace: string; key: string }>>;

  /** Bumps the global generation (in this transaction) and records the change; returns the generation. */
  recordChange(kind: string, id: string, op: 'create' | 'update' | 'delete'): Promise<number>;
}

export interface ResourceStore extends ResourceTx {
  transaction<T>(fn: (tx: ResourceTx) => Promise<T>): Promise<T>;
}
