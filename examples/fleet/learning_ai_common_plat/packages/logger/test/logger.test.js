import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from '@bytelyst/errors';
import { createLogger, loggerFromEnv, shouldLog, formatPretty } from '../src/index.js';

const capture = () => {
  const lines = [];
  return { lines, sink: (line) => lines.push(JSON.parse(line)) };
};
const now = () => '2024-01-01T00:00:00.000Z';

test('filters by level and includes fields', () => {
  const { lines, sink } = capture();
  const log = createLogger({ level: 'info', sink, now, name: 'api' });
  log.debug('hidden');
  log.info('hello', { user: 'u1' });
  assert.deepEqual(lines, [{ time: now(), level: 'info', name: 'api', msg: 'hello', user: 'u1' }]);
});

test('child bindings and error serialization', () => {
  const { lines, sink } = capture();
  const log = createLogger({ sink, now }).child({ requestId: 'r1' });
  log.error('failed', { err: new NotFoundError('User') });
  assert.equal(lines[0].requestId, 'r1');
  assert.equal(lines[0].err.code, 'NOT_FOUND');
});

test('loggerFromEnv reads LOG_LEVEL', () => {
  const { lines, sink } = capture();
  const log = loggerFromEnv({ LOG_LEVEL: 'warn' }, { sink, now });
  log.info('no');
  log.warn('yes');
  assert.equal(lines.length, 1);
  assert.throws(() => loggerFromEnv({ LOG_LEVEL: 'loud' }), /unknown level/);
});

test('levels and pretty format', () => {
  assert.ok(shouldLog('error', 'warn'));
  assert.equal(shouldLog('info', 'silent'), false);
  const line = formatPretty({ time: 't', level: 'info', msg: 'hi', name: 'svc', a: 1 });
  assert.equal(line, 't INFO  [svc] hi {"a":1}');
});
