/** Time is passed in, never read from a global, so the core stays deterministic under test. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
