/**
 * Cache the results of an async function. Concurrent calls for the same key
 * share one in-flight promise (single flight); failures are not cached.
 */
export function memoizeAsync(fn, { cache, key = (...args) => JSON.stringify(args), ttlMs } = {}) {
  if (!cache) throw new TypeError('memoizeAsync requires a cache');
  const inflight = new Map();

  return async function memoized(...args) {
    const k = key(...args);
    const cached = cache.get(k);
    if (cached !== undefined) return cached;
    if (inflight.has(k)) return inflight.get(k);

    const promise = Promise.resolve()
      .then(() => fn(...args))
      .then((value) => cache.set(k, value, ttlMs))
      .finally(() => inflight.delete(k));
    inflight.set(k, promise);
    return promise;
  };
}
