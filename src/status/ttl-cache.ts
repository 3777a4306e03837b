// Public pages are computed at most once per TTL per key, so anonymous traffic cannot turn
// into one database read per request.
export class TtlCache<T> {
  private entries = new Map<string, { until: number; value: Promise<T> }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 1000) {}

  get(key: string, compute: () => Promise<T>, now = Date.now()): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = compute();
    this.entries.set(key, { until: now + this.ttlMs, value });
    // A failed computation is not kept.
    value.catch(() => this.entries.delete(key));
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
