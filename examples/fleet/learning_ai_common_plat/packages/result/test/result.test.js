import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, err, map, mapErr, andThen, unwrap, unwrapOr, match, fromPromise, tryCatch, all } from '../src/index.js';

test('map / andThen / unwrapOr', () => {
  const half = (n) => (n % 2 === 0 ? ok(n / 2) : err(`odd: ${n}`));
  assert.deepEqual(andThen(ok(8), half), ok(4));
  assert.deepEqual(andThen(ok(3), half), err('odd: 3'));
  assert.equal(unwrapOr(map(err('x'), (n) => n + 1), 0), 0);
  assert.equal(unwrap(map(ok(1), (n) => n + 1)), 2);
  assert.deepEqual(mapErr(err('a'), (e) => e.toUpperCase()), err('A'));
});

test('unwrap throws the error', () => {
  assert.throws(() => unwrap(err(new RangeError('nope'))), RangeError);
  assert.throws(() => unwrap(err('text')), /text/);
});

test('match picks the branch', () => {
  assert.equal(match(ok(2), { ok: (v) => v * 10, err: () => -1 }), 20);
  assert.equal(match(err('e'), { ok: () => 0, err: (e) => e }), 'e');
});

test('async helpers', async () => {
  assert.deepEqual(await fromPromise(Promise.resolve(5)), ok(5));
  const failed = await tryCatch(() => {
    throw new Error('boom');
  }, (e) => e.message);
  assert.deepEqual(failed, err('boom'));
  assert.deepEqual(all([ok(1), ok(2)]), ok([1, 2]));
  assert.deepEqual(all([ok(1), err('x'), err('y')]), err('x'));
});
