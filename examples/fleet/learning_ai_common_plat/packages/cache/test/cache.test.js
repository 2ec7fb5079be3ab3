import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '@bytelyst/time';
import { createRegistry, renderPrometheus } from '@bytelyst/metrics';
import { createTtlCache, memoizeAsync } from '../src/index.js';

test('entries expire after ttl', () => {
  const clock = fixedClock(0);
  const cache = createTtlCache({ ttlMs: 100, clock });
  cache.set('a', 1);
  cache.set('b', 2, 500);
  clock.advance(100);
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.get('b'), 2);
  assert.equal(cache.has('a'), false);
  assert.deepEqual(cache.stats(), { hits: 1, misses: 1, evictions: 0 });
});

test('evicts least recently used when full and reports metrics', () => {
  const metrics = createRegistry();
  const cache = createTtlCache({ maxEntries: 2, metrics, name: 'users_cache' });
  cache.set('a', 1);
  cache.set('b', 2);
  cache.get('a');
  cache.set('c', 3);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.size, 2);
  assert.match(renderPrometheus(metrics.snapshot()), /users_cache_evictions_total 1/);
});

test('memoizeAsync is single-flight and does not cache failures', async () => {
  const cache = createTtlCache();
  let calls = 0;
  const load = memoizeAsync(async (id) => {
    calls += 1;
    if (id === 'bad') throw new Error('nope');
    return { id };
  }, { cache });
  const [a, b] = await Promise.all([load('x'), load('x')]);
  assert.equal(a, b);
  assert.equal(calls, 1);
  await assert.rejects(load('bad'));
  await assert.rejects(load('bad'));
  assert.equal(calls, 3);
});
