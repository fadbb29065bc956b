/**
 * Row types of the SQL store, as Kysely sees them. Booleans are integers (0/1) and JSON is text so that
 * one schema serves SQLite and PostgreSQL alike. Only src/store imports this file.
 */
import type { Generated } from 'kysely';

export interface DomainRow {
  id: string;
  name: string;
  description: string;
  enabled: number;
}
export interface ProjectRow {
  id: string;
  name: string;
  domain_id: string;
  description: string;
  enabled: number;
  is_domain: number;
  parent_id: string | null;
  tags: string;
}
export interface UserRow {
  id: string;
  name: string;
  domain_id: string;
  enabled: number;
  email: string | null;
  description: string | null;
  default_project_id: string | null;
  password_hash: string | null;
  password_changed_at: string | null;
}
export interface RoleRow {
  id: string;
  name: string;
  /** '' for global roles: NULLs are never equal in a unique index, on either engine. */
  domain_id: string;
  description: string;
}
export interface RoleAssignmentRow {
  user_id: string;
  role_id: string;
  target_type: 'project' | 'domain';
  target_id: string;
}
export interface RegionRow {
  id: string;
  description: string;
  parent_region_id: string | null;
}
export interface ServiceRow {
  id: string;
  type: string;
  name: string;
  description: string;
  enabled: number;
}
export interface EndpointRow {
  id: string;
  service_id: string;
  interface: string;
  url: string;
  region_id: string | null;
  enabled: number;
}
export interface RevokedTokenRow {
  audit_id: string;
  expires_at: number | string;
}
export interface UserRevocationRow {
  user_id: string;
  revoked_before: number | string;
}
export interface GenerationRow {
  id: number;
  value: number | string;
}
export interface ChangeRow {
  generation: number | string;
  kind: string;
  resource_id: string;
  op: string;
  at: string;
}
/** Leased long-running operations, adopted after a crash (used by the volume and network services). */
export interface OperationRow {
  id: string;
  kind: string;
  resource_id: string;
  state: string;
  payload: string;
  lease_owner: string | null;
  lease_until: number | string | null;
  created_at: string;
  updated_at: string;
  seq: Generated<number>;
}

export interface ResourceRow {
  kind: string;
  id: string;
  project_id: string;
  parent_id: string | null;
  revision: number;
  created_at: string;
  updated_at: string;
  data: string;
}
export interface ClaimRow {
  namespace: string;
  key: string;
  owner: string;
}

export interface Database {
  resources: ResourceRow;
  claims: ClaimRow;
  domains: DomainRow;
  projects: ProjectRow;
  users: UserRow;
  roles: RoleRow;
  role_assignments: RoleAssignmentRow;
  regions: RegionRow;
  services: ServiceRow;
  endpoints: EndpointRow;
  revoked_tokens: RevokedTokenRow;
  user_revocations: UserRevocationRow;
  generation: GenerationRow;
  changes: ChangeRow;
}
