import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock, sleep, toIso, startOfDayUtc, addMs, isBefore, HOUR } from '../src/index.js';
import { parseDuration, formatDuration } from '../src/duration.js';

test('parseDuration', () => {
  assert.equal(parseDuration('1h30m'), 90 * 60 * 1000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('42'), 42);
  assert.throws(() => parseDuration('5 minutes'), TypeError);
  assert.throws(() => parseDuration(''), TypeError);
});

test('formatDuration', () => {
  assert.equal(formatDuration(90 * 60 * 1000), '1h30m');
  assert.equal(formatDuration(1500), '1s500ms');
  assert.equal(formatDuration(-HOUR), '-1h');
  assert.equal(formatDuration(0), '0ms');
});

test('fixedClock advances manually', () => {
  const clock = fixedClock('2024-01-01T00:00:00Z');
  clock.advance(HOUR);
  assert.equal(toIso(clock.now()), '2024-01-01T01:00:00.000Z');
});

test('date helpers', () => {
  assert.equal(startOfDayUtc('2024-03-05T17:45:00Z'), Date.UTC(2024, 2, 5));
  assert.equal(toIso(addMs(0, 1000)), '1970-01-01T00:00:01.000Z');
  assert.ok(isBefore(0, 1));
});

test('sleep honours abort', async () => {
  const controller = new AbortController();
  const pending = sleep(10_000, { signal: controller.signal });
  controller.abort(new Error('stop'));
  await assert.rejects(pending, /stop/);
  await sleep(1);
});
