import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTtlCache } from '@bytelyst/cache';
import { parseFlagList, createFlags, flagsFromEnv, fnv1a, bucket } from '../src/index.js';

test('parseFlagList', () => {
  assert.deepEqual(parseFlagList('search, new-ui:25, -beta'), {
    search: { enabled: true },
    'new-ui': { enabled: true, rollout: 25 },
    beta: { enabled: false },
  });
  assert.deepEqual(parseFlagList(undefined), {});
  assert.throws(() => parseFlagList('x:lots'), TypeError);
});

test('hash is stable', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(bucket('f', 'u1'), bucket('f', 'u1'));
});

test('rollout is deterministic and roughly proportional', () => {
  const flags = flagsFromEnv({ FEATURE_FLAGS: 'search,half:50,-beta' });
  assert.ok(flags.isEnabled('search'));
  assert.equal(flags.isEnabled('beta'), false);
  assert.equal(flags.isEnabled('unknown'), false);
  let on = 0;
  for (let i = 0; i < 1000; i++) if (flags.isEnabled('half', { subject: `usr_${i}` })) on++;
  assert.ok(on > 400 && on < 600, `expected ~50%, got ${on / 10}%`);
  assert.equal(flags.isEnabled('half', { subject: 'usr_7' }), flags.isEnabled('half', { subject: 'usr_7' }));
  assert.deepEqual(flags.list().map((f) => f.name), ['beta', 'half', 'search']);
});

test('evaluations are cached', () => {
  const cache = createTtlCache();
  const flags = createFlags({ definitions: { x: { enabled: true, rollout: 10 } }, cache });
  flags.isEnabled('x', { subject: 's' });
  flags.isEnabled('x', { subject: 's' });
  assert.deepEqual(cache.stats(), { hits: 1, misses: 1, evictions: 0 });
});
