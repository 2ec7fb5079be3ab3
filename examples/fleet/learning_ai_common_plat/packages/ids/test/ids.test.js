import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '@bytelyst/time';
import { ulid, isUlid, decodeTime, prefixedId, parsePrefixed, isPrefixed } from '../src/index.js';

test('ulid encodes time and is sortable', () => {
  const clock = fixedClock(1_700_000_000_000);
  const a = ulid({ clock });
  clock.advance(1);
  const b = ulid({ clock });
  assert.ok(isUlid(a) && isUlid(b));
  assert.equal(a.length, 26);
  assert.equal(decodeTime(a), 1_700_000_000_000);
  assert.ok(a.slice(0, 10) < b.slice(0, 10));
});

test('ulid is deterministic with an injected random source', () => {
  const clock = fixedClock(0);
  const random = (n) => new Uint8Array(n);
  assert.equal(ulid({ clock, random }), '0'.repeat(26));
});

test('prefixed ids', () => {
  const id = prefixedId('usr');
  assert.match(id, /^usr_[0-9a-z]{26}$/);
  assert.equal(parsePrefixed(id).prefix, 'usr');
  assert.ok(isPrefixed(id, 'usr'));
  assert.equal(isPrefixed(id, 'org'), false);
  assert.equal(parsePrefixed('nope'), null);
  assert.throws(() => prefixedId('Bad!'), TypeError);
});
