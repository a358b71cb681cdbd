/**
 * Per-token rate limits: a token bucket per token subject and tenant (or per address for public calls)
 * that refills `perMinute` requests a minute and holds as many. One process's view: with several
 * servers behind a balancer each counts its own share.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `key`'s bucket: 0 when allowed, else the seconds until one is free. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return Math.ceil((1 - bucket.tokens) / perMs / 1000);
    }
    bucket.tokens -= 1;
    // Bounded: full buckets carry no information, so they go first when the map grows large.
    if (this.buckets.size >= 100_000) for (const [k, b] of this.buckets) if (b.tokens >= this.perMinute - 1) this.buckets.delete(k);
    this.buckets.set(key, bucket);
    return 0;
  }
}
