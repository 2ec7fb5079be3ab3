import { ulid, isUlid } from './index.js';

const PREFIX = /^[a-z][a-z0-9]{1,7}$/;

/** Stripe-style resource id: `usr_01hq...` */
export function prefixedId(prefix, options) {
  if (!PREFIX.test(prefix)) throw new TypeError(`Invalid id prefix: "${prefix}"`);
  return `${prefix}_${ulid(options).toLowerCase()}`;
}

/** Split an id into its prefix and ulid, or return null when malformed. */
export function parsePrefixed(id) {
  const index = typeof id === 'string' ? id.indexOf('_') : -1;
  if (index <= 0) return null;
  const prefix = id.slice(0, index);
  const body = id.slice(index + 1).toUpperCase();
  if (!PREFIX.test(prefix) || !isUlid(body)) return null;
  return { prefix, ulid: body };
}

export function isPrefixed(id, prefix) {
  const parsed = parsePrefixed(id);
  return parsed !== null && (prefix === undefined || parsed.prefix === prefix);
}
