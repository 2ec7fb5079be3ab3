import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppError,
  NotFoundError,
  ValidationError,
  ErrorCodes,
  wrap,
  isAppError,
  toJSON,
  fromJSON,
  codeForStatus,
} from '../src/index.js';

test('subclasses carry code and status', () => {
  const e = new NotFoundError('User', { id: 'usr_1' });
  assert.equal(e.code, ErrorCodes.NOT_FOUND);
  assert.equal(e.status, 404);
  assert.equal(e.message, 'User not found');
  assert.equal(new ValidationError('bad').status, 422);
});

test('wrap keeps AppErrors and wraps others with cause', () => {
  const app = new AppError('CONFLICT', 'dup');
  assert.equal(wrap(app), app);
  const wrapped = wrap(new TypeError('boom'));
  assert.ok(isAppError(wrapped));
  assert.equal(wrapped.code, 'INTERNAL');
  assert.ok(wrapped.cause instanceof TypeError);
});

test('toJSON / fromJSON round trip', () => {
  const original = wrap(new Error('inner'), ErrorCodes.UNAVAILABLE);
  const json = toJSON(original);
  assert.equal(json.status, 503);
  assert.equal(json.cause.message, 'inner');
  const back = fromJSON(JSON.parse(JSON.stringify(json)));
  assert.equal(back.code, 'UNAVAILABLE');
  assert.equal(back.cause.message, 'inner');
});

test('codeForStatus', () => {
  assert.equal(codeForStatus(404), 'NOT_FOUND');
  assert.equal(codeForStatus(599), 'INTERNAL');
  assert.equal(codeForStatus(418), 'BAD_REQUEST');
});
