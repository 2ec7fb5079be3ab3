import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPrefixed } from '@bytelyst/ids';
import { User, newUser, paginated, apiErrorBody, API_VERSION, apiPath } from '../src/index.js';

test('newUser fills id, role and createdAt', () => {
  const user = newUser({ email: 'Ada@Example.com', displayName: 'Ada' }, { now: new Date('2024-01-01T00:00:00Z') });
  assert.ok(isPrefixed(user.id, 'usr'));
  assert.equal(user.email, 'ada@example.com');
  assert.equal(user.role, 'member');
  assert.equal(user.createdAt, '2024-01-01T00:00:00.000Z');
  assert.equal(API_VERSION, 'v1');
});

test('User rejects bad ids and roles', () => {
  const base = { email: 'a@b.io', displayName: 'A', createdAt: '2024-01-01T00:00:00Z' };
  assert.equal(User.safeParse({ ...base, id: 'org_01hq3v5k8m9n0p1q2r3s4t5v6w' }).success, false);
  assert.equal(User.safeParse({ ...base, id: 'usr_01hq3v5k8m9n0p1q2r3s4t5v6w', role: 'root' }).success, false);
  assert.equal(User.safeParse({ ...base, id: 'usr_01hq3v5k8m9n0p1q2r3s4t5v6w' }).success, true);
});

test('envelopes', () => {
  const page = paginated(User).parse({ items: [], nextCursor: null });
  assert.deepEqual(page, { items: [], nextCursor: null });
  assert.deepEqual(apiErrorBody({ code: 'NOT_FOUND', message: 'User not found', status: 404 }), {
    error: { code: 'NOT_FOUND', message: 'User not found' },
  });
});

test('apiPath encodes segments', () => {
  assert.equal(apiPath('users', 'usr_1', 'a b'), '/v1/users/usr_1/a%20b');
});
