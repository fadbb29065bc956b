/**
 * Cryptographic abilities the core needs but cannot implement without node:crypto.
 * Implementations live in src/drivers/crypto.
 */
import type { TokenPayload } from '../model/identity.js';

export interface PasswordHasher {
  /** Slow by design (scrypt). Never logs its input. */
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export interface TokenCodec {
  /** Signs the payload into an opaque, URL-safe token. */
  encode(payload: TokenPayload): string;
  /** Returns null for anything not signed by us (tampered, truncated, garbage). Does not check expiry. */
  decode(token: string): TokenPayload | null;
}

export interface IdGenerator {
  /** A new random id: 32 lowercase hex characters for identity, a dashed UUID elsewhere. */
  hex(): string;
  uuid(): string;
}
