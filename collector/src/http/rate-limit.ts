interface Bucket {
  tokens: number;
  at: number;
}

/** The most clients remembered at once. */
export const MAX_CLIENTS = 100_000;

/**
 * A token bucket per client: `perMinute` requests at once, refilled evenly over a minute.
 * `take` answers 0 when the request may pass, else the whole seconds until it would.
 */
export function createRateLimit(perMinute: number, now: () => number = Date.now) {
  const buckets = new Map<string, Bucket>();
  const refillPerMs = perMinute / 60_000;
  const refill = (bucket: Bucket, time: number) => {
    bucket.tokens = Math.min(perMinute, bucket.tokens + (time - bucket.at) * refillPerMs);
    bucket.at = time;
  };
  // Full buckets carry no information; dropping them keeps memory bounded by active clients.
  const dropFull = () => {
    const time = now();
    for (const [client, bucket] of buckets) {
      refill(bucket, time);
      if (bucket.tokens >= perMinute) buckets.delete(client);
    }
  };
  const sweep = setInterval(dropFull, 60_000);
  sweep.unref();
  return {
    take(client: string): number {
      if (perMinute === 0) return 0;
      const time = now();
      // Many clients within one minute (addresses sprayed from an IPv6 range): sweep at once;
      // if they are all still active, the oldest bucket goes, so memory stays bounded.
      if (!buckets.has(client) && buckets.size >= MAX_CLIENTS) {
        dropFull();
        if (buckets.size >= MAX_CLIENTS) buckets.delete(buckets.keys().next().value as string);
      }
      const bucket = buckets.get(client) ?? { tokens: perMinute, at: time };
      buckets.set(client, bucket);
      refill(bucket, time);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
    },
    /** Like `take`, but takes nothing: 0 when a request may pass, else the seconds until. */
    wait(client: string): number {
      const bucket = buckets.get(client);
      if (perMinute === 0 || bucket === undefined) return 0;
      refill(bucket, now());
      return bucket.tokens >= 1
        ? 0
        : Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
    },
    stop: () => clearInterval(sweep),
  };
}
