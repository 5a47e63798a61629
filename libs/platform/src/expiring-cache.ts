import type { Clock } from './clock';

/**
 * What the desk reads on every contact and changes rarely (a library's routing rules and SLA policies,
 * API keys), kept for a few seconds by key. The owner drops an entry on its "changed" event (an
 * `everyProcess` event, so every process drops it at once); the expiry bounds how stale an entry can be
 * when that delivery is lost (Redis away). Concurrent readers of a missing entry share one load; a
 * failed load is not kept. At most `maxEntries` are kept (all dropped when full: the sets are small).
 */
export class ExpiringCache<T> {
  private readonly entries = new Map<string, { expires: number; value: Promise<T> }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now().getTime();
    const cached = this.entries.get(key);
    if (cached && cached.expires > now) return cached.value;
    const value = load();
    const entry = { expires: now + this.ttlMs, value };
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  drop(key: string): void {
    this.entries.delete(key);
  }
}
