/**
 * TokenCodec: `v1.<payload>.<signature>`, payload a compact base64url JSON, signature HMAC-SHA256 with a
 * key kept in HOME. Roles are not in the token: they are resolved at validation, so a revoked role takes
 * effect at once.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenPayload } from '../../core/model/identity.js';
import type { IdGenerator, TokenCodec } from '../../core/ports/crypto.js';

interface Wire {
  u: string;
  m: string[];
  p?: string;
  d?: string;
  i: number;
  e: number;
  a: string[];
}

export class HmacTokenCodec implements TokenCodec {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('token signing key must be at least 32 bytes');
  }

  encode(t: TokenPayload): string {
    const wire: Wire = { u: t.userId, m: t.methods, i: t.issuedAt, e: t.expiresAt, a: t.auditIds };
    if (t.projectId) wire.p = t.projectId;
    if (t.domainId) wire.d = t.domainId;
    const body = `v1.${Buffer.from(JSON.stringify(wire)).toString('base64url')}`;
    return `${body}.${this.sign(body)}`;
  }

  decode(token: string): TokenPayload | null {
    if (typeof token !== 'string' || token.length > 4096) return null;
    const last = token.lastIndexOf('.');
    if (last <= 0 || !token.startsWith('v1.')) return null;
    const body = token.slice(0, last);
    const sig = Buffer.from(token.slice(last + 1), 'base64url');
    const expected = Buffer.from(this.sign(body), 'base64url');
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
    try {
      const w = JSON.parse(Buffer.from(body.slice(3), 'base64url').toString('utf8')) as Wire;
      if (typeof w.u !== 'string' || !Array.isArray(w.m) || typeof w.e !== 'number') return null;
      return {
        userId: w.u,
        methods: w.m,
        projectId: w.p ?? null,
        domainId: w.d ?? null,
        issuedAt: w.i,
        expiresAt: w.e,
        auditIds: w.a,
      };
    } catch {
      return null;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

export const randomIds: IdGenerator = {
  hex: () => randomBytes(16).toString('hex'),
  uuid: () => crypto.randomUUID(),
};
