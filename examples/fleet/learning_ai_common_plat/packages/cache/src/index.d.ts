import type { Clock } from '@bytelyst/time';
import type { Registry } from '@bytelyst/metrics';

export interface TtlCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  clock?: Clock;
  metrics?: Registry;
  /** Prefix for the metric names, e.g. `users_cache` -> `users_cache_hits_total`. */
  name?: string;
}

export interface TtlCache<K = string, V = unknown> {
  get(key: K): V | undefined;
  set(key: K, value: V, ttlMs?: number): V;
  has(key: K): boolean;
  delete(key: K): boolean;
  clear(): void;
  readonly size: number;
  stats(): { hits: number; misses: number; evictions: number };
}

export declare function createTtlCache<K = string, V = unknown>(options?: TtlCacheOptions): TtlCache<K, V>;

export declare function memoizeAsync<A extends unknown[], V>(
  fn: (...args: A) => Promise<V>,
  options: { cache: TtlCache<string, V>; key?: (...args: A) => string; ttlMs?: number }
): (...args: A) => Promise<V>;
