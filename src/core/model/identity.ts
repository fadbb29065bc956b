/**
 * Identity resource types (Keystone v3 subset). Pure types; domain fields camelCase.
 */

export interface Domain {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
}

export interface Project {
  id: string;
  name: string;
  domainId: string;
  description: string;
  enabled: boolean;
  isDomain: boolean;
  parentId: string | null;
  tags: string[];
}

export interface User {
  id: string;
  name: string;
  domainId: string;
  enabled: boolean;
  email: string | null;
  description: string | null;
  defaultProjectId: string | null;
  /** Never leaves the core: views do not render it. */
  passwordHash: string | null;
  passwordChangedAt: string | null;
}

export interface Role {
  id: string;
  name: string;
  domainId: string | null;
  description: string;
}

/** A role held by a user on a project or on a domain (exactly one of projectId, domainId is set). */
export interface RoleAssignment {
  userId: string;
  roleId: string;
  projectId: string | null;
  domainId: string | null;
}

export interface Region {
  id: string;
  description: string;
  parentRegionId: string | null;
}

export interface CatalogService {
  id: string;
  type: string;
  name: string;
  description: string;
  enabled: boolean;
}

export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface Endpoint {
  id: string;
  serviceId: string;
  interface: EndpointInterface;
  url: string;
  regionId: string | null;
  enabled: boolean;
}

/** What a token carries; roles are resolved again at every validation, as Keystone's Fernet tokens do. */
export interface TokenPayload {
  userId: string;
  methods: string[];
  projectId: string | null;
  domainId: string | null;
  issuedAt: number;
  expiresAt: number;
  auditIds: string[];
}

export const DEFAULT_DOMAIN_ID = 'default';
export const BUILTIN_ROLES = ['admin', 'member', 'reader'] as const;
/** admin implies member implies reader. */
export const IMPLIED_ROLES: Readonly<Record<string, readonly string[]>> = {
  admin: ['member', 'reader'],
  member: ['reader'],
  reader: [],
};
