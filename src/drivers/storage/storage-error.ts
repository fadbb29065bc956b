/**
 * Storage drivers' error type: a `StorageFailure` (core/ports/volume-driver) with a stable code.
 * Layer: drivers/storage; imports only core/ports.
 */
import type { StorageFailure, StorageFailureCode } from '../../core/ports/volume-driver.js';

export class StorageError extends Error implements StorageFailure {
  readonly code: StorageFailureCode;
  readonly retryable: boolean;

  constructor(code: StorageFailureCode, message: string, retryable = false) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.retryable = retryable;
  }
}

export function isStorageFailure(e: unknown): e is StorageFailure {
  return e instanceof Error && typeof (e as Partial<StorageFailure>).code === 'string' && 'retryable' in e;
}
