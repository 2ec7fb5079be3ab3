import { systemClock } from '@bytelyst/time';
import { createRegistry } from '@bytelyst/metrics';

export { memoizeAsync } from './memoize.js';

/**
 * Map-backed TTL cache. Oldest entries are evicted first once `maxEntries` is
 * reached (Map preserves insertion order; `get` re-inserts to keep LRU order).
 */
export function createTtlCache({ ttlMs = 60_000, maxEntries = 1000, clock = systemClock, metrics = createRegistry(), name = 'cache' } = {}) {
  const entries = new Map();
  const hits = metrics.counter(`${name}_hits_total`, 'Cache hits');
  const misses = metrics.counter(`${name}_misses_total`, 'Cache misses');
  const evictions = metrics.counter(`${name}_evictions_total`, 'Entries evicted for size');

  function get(key) {
    const entry = entries.get(key);
    if (!entry || entry.expiresAt <= clock.now()) {
      if (entry) entries.delete(key);
      misses.inc();
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    hits.inc();
    return entry.value;
  }

  function set(key, value, ttl = ttlMs) {
    entries.delete(key);
    while (entries.size >= maxEntries) {
      entries.delete(entries.keys().next().value);
      evictions.inc();
    }
    entries.set(key, { value, expiresAt: clock.now() + ttl });
    return value;
  }

  return {
    get,
    set,
    has: (key) => entries.has(key) && entries.get(key).expiresAt > clock.now(),
    delete: (key) => entries.delete(key),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
    stats: () => ({ hits: hits.get(), misses: misses.get(), evictions: evictions.get() }),
  };
}
