export interface BackoffOptions {
  /** The first delay, in milliseconds; each attempt after it doubles. */
  base: number;
  /** The longest delay, in milliseconds (`Infinity` for none). */
  cap: number;
  /** Spread, as a fraction of the delay: 0.5 gives between 75 % and 125 % of it, so that many clients do not retry in step. */
  jitter?: number;
  random?: () => number;
}

/** Exponential backoff, capped and optionally jittered: `backoff({ base, cap, jitter })(attempt)`, attempt 1 waiting `base`. */
export function backoff({ base, cap, jitter = 0, random = Math.random }: BackoffOptions): (attempt: number) => number {
  if (!(base >= 0) || !(cap >= 0) || !(jitter >= 0 && jitter <= 1))
    throw new RangeError(`backoff needs base >= 0, cap >= 0 and 0 <= jitter <= 1 (got ${base}, ${cap}, ${jitter})`);
  return (attempt) => {
    // Past 2^30 every sane cap has long been reached; the bound keeps the arithmetic finite.
    const doublings = Math.min(Math.max(Math.floor(attempt) - 1, 0), 30);
    const delay = Math.min(cap, base * 2 ** doublings);
    return jitter === 0 ? delay : delay * (1 - jitter / 2 + random() * jitter);
  };
}
