import { randomBytes } from 'node:crypto';
import { systemClock } from '@bytelyst/time';

export { prefixedId, parsePrefixed, isPrefixed } from './prefixed.js';

// Crockford base32: no I, L, O, U.
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LEN = 10;
const RANDOM_LEN = 16;

function encodeTime(ms) {
  let out = '';
  for (let i = 0; i < TIME_LEN; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(random) {
  const bytes = random(RANDOM_LEN);
  let out = '';
  for (let i = 0; i < RANDOM_LEN; i++) out += ALPHABET[bytes[i] % 32];
  return out;
}

/** 26-char, lexicographically time-sortable id. */
export function ulid({ clock = systemClock, random = randomBytes } = {}) {
  return encodeTime(clock.now()) + encodeRandom(random);
}

export function isUlid(value) {
  return typeof value === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}

/** Recover the millisecond timestamp encoded in a ulid. */
export function decodeTime(id) {
  if (!isUlid(id)) throw new TypeError(`Not a ulid: ${id}`);
  let ms = 0;
  for (const char of id.slice(0, TIME_LEN)) ms = ms * 32 + ALPHABET.indexOf(char);
  return ms;
}
