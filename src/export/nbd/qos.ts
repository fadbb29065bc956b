/**
 * QoS for an export: token buckets on IOPS and bytes per second, enforced by delaying requests
 * (never by failing them), with Cinder's front-end qos-spec keys. Layer: export/nbd; imports nothing.
 *
 * Each bucket holds at most one second of tokens (the burst). A request takes its tokens at once,
 * possibly driving a bucket negative, and waits until the deepest bucket is back to zero: so a
 * request bigger than a second's worth still passes, and waiting requests keep FIFO order.
 */

export interface QosLimits {
  totalIopsSec?: number;
  readIopsSec?: number;
  writeIopsSec?: number;
  totalBytesSec?: number;
  readBytesSec?: number;
  writeBytesSec?: number;
}

const CINDER_KEYS: Record<string, keyof QosLimits> = {
  total_iops_sec: 'totalIopsSec',
  read_iops_sec: 'readIopsSec',
  write_iops_sec: 'writeIopsSec',
  total_bytes_sec: 'totalBytesSec',
  read_bytes_sec: 'readBytesSec',
  write_bytes_sec: 'writeBytesSec',
};

/** Reads Cinder qos-spec keys (`total_iops_sec`, ...); unknown keys and non-positive values are ignored. */
export function qosFromCinderSpecs(specs: Record<string, string | number>): QosLimits {
  const out: QosLimits = {};
  for (const [k, v] of Object.entries(specs)) {
    const field = CINDER_KEYS[k];
    const n = Number(v);
    if (field && Number.isFinite(n) && n > 0) out[field] = n;
  }
  return out;
}

class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.last = now;
  }
  /** Takes `n` tokens; returns how many ms until the bucket is no longer in debt. */
  take(n: number, now: number): number {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }
}

export type IoKind = 'read' | 'write';

export class QosLimiter {
  private readonly buckets: Partial<Record<keyof QosLimits, TokenBucket>> = {};

  constructor(
    limits: QosLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const [k, v] of Object.entries(limits) as [keyof QosLimits, number | undefined][]) {
      if (v && v > 0) this.buckets[k] = new TokenBucket(v, this.now());
    }
  }

  get isUnlimited(): boolean {
    return Object.keys(this.buckets).length === 0;
  }

  /** Milliseconds the caller must wait before doing an I/O of `bytes` of this kind (0 = go now). */
  reserve(kind: IoKind, bytes: number): number {
    const t = this.now();
    const b = this.buckets;
    let wait = 0;
    const take = (bucket: TokenBucket | undefined, n: number): void => {
      if (bucket) wait = Math.max(wait, bucket.take(n, t));
    };
    take(b.totalIopsSec, 1);
    take(b.totalBytesSec, bytes);
    if (kind === 'read') {
      take(b.readIopsSec, 1);
      take(b.readBytesSec, bytes);
    } else {
      take(b.writeIopsSec, 1);
      take(b.writeBytesSec, bytes);
    }
    return wait;
  }

  /** Resolves when an I/O of `bytes` may proceed. */
  admit(kind: IoKind, bytes: number): Promise<void> | undefined {
    const ms = this.reserve(kind, bytes);
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : undefined;
  }
}
