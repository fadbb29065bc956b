/**
 * Typed domain errors with stable codes. The core throws these; each API renders them in its own wire
 * shape (Keystone, Neutron, Cinder/Nova). Imports nothing.
 *
 * `type` is the OpenStack-flavoured name a client may look for (Neutron's `NeutronError.type`, for
 * example `IpAddressGenerationFailure`); `code` is our own stable category.
 */

export type DomainErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid_input'
  | 'invalid_state'
  | 'in_use'
  | 'quota_exceeded'
  | 'forbidden'
  | 'unauthorized'
  | 'unsupported'
  | 'precondition_failed'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** HTTP status most APIs use for this category; an API may override per `type`. */
  abstract readonly status: number;
  /** OpenStack-style error type name, e.g. `NetworkNotFound`, `OverQuota`. */
  readonly type: string;
  readonly detail: string;

  constructor(message: string, type?: string, detail = '') {
    super(message);
    this.name = new.target.name;
    this.type = type ?? new.target.name;
    this.detail = detail;
  }
}

export class NotFound extends DomainError {
  readonly code = 'not_found';
  readonly status = 404;
}
export class Conflict extends DomainError {
  readonly code = 'conflict';
  readonly status = 409;
}
export class InvalidInput extends DomainError {
  readonly code = 'invalid_input';
  readonly status = 400;
}
export class InvalidState extends DomainError {
  readonly code = 'invalid_state';
  readonly status = 409;
}
export class InUse extends DomainError {
  readonly code = 'in_use';
  readonly status = 409;
}
export class QuotaExceeded extends DomainError {
  readonly code = 'quota_exceeded';
  readonly status = 413;
}
export class Forbidden extends DomainError {
  readonly code = 'forbidden';
  readonly status = 403;
}
export class Unauthorized extends DomainError {
  readonly code = 'unauthorized';
  readonly status = 401;
}
export class Unsupported extends DomainError {
  readonly code = 'unsupported';
  readonly status = 400;
}
export class PreconditionFailed extends DomainError {
  readonly code = 'precondition_failed';
  readonly status = 412;
}
export class Unavailable extends DomainError {
  readonly code = 'unavailable';
  readonly status = 503;
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
