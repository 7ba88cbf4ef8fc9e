// Delays for retrying a server that is away: 0.5 s, 1 s, 2 s, ... up to `max`, with up to 20%
// jitter (from `random`, injectable for tests) so many tabs do not knock at once.
export interface BackoffOptions {
  base?: number;
  max?: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.base ?? 500;
  const max = options.max ?? 15_000;
  const random = options.random ?? Math.random;
  const plain = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.round(plain * (1 - 0.2 * random()));
}
