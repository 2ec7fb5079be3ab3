import { parseList, parseNumber } from '@bytelyst/config';
import { createTtlCache } from '@bytelyst/cache';
import { bucket } from './hash.js';

export { fnv1a, bucket } from './hash.js';

/**
 * Parse FEATURE_FLAGS="search,new-ui:25,-beta" into definitions:
 * bare name = on, name:N = N% rollout, -name = forced off.
 */
export function parseFlagList(raw) {
  const definitions = {};
  for (const item of parseList(raw ?? '')) {
    if (item.startsWith('-')) definitions[item.slice(1)] = { enabled: false };
    else {
      const [name, pct] = item.split(':');
      definitions[name] = pct === undefined ? { enabled: true } : { enabled: true, rollout: parseNumber(pct, name) };
    }
  }
  return definitions;
}

export function createFlags({ definitions = {}, cache = createTtlCache({ ttlMs: 60_000, name: 'flags_cache' }) } = {}) {
  function isEnabled(name, { subject = 'anonymous' } = {}) {
    const def = definitions[name];
    if (!def || !def.enabled) return false;
    if (def.rollout === undefined || def.rollout >= 100) return true;
    const key = `${name}:${subject}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    return cache.set(key, bucket(name, subject) < def.rollout);
  }
  return {
    isEnabled,
    list: () => Object.keys(definitions).sort().map((name) => ({ name, ...definitions[name] })),
  };
}

export function flagsFromEnv(env = process.env, options = {}) {
  return createFlags({ ...options, definitions: parseFlagList(env.FEATURE_FLAGS) });
}
