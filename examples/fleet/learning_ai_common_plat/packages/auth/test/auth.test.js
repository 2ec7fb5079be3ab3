import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock, HOUR } from '@bytelyst/time';
import { UnauthorizedError } from '@bytelyst/errors';
import { createHttpClient } from '@bytelyst/http-client';
import { createAuthClient, createSessionStore, decodeJwt, isExpired } from '../src/index.js';

const jwt = (claims) => ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');

test('decodeJwt and isExpired', () => {
  const clock = fixedClock(1_000_000);
  const claims = decodeJwt(jwt({ sub: 'usr_1', exp: 1000 }));
  assert.equal(claims.sub, 'usr_1');
  assert.equal(isExpired(claims, { clock, skewMs: 0 }), true);
  assert.equal(isExpired({ exp: 2000 }, { clock }), false);
  assert.throws(() => decodeJwt('abc'), UnauthorizedError);
});

test('session store expires and sweeps', () => {
  const clock = fixedClock(0);
  const store = createSessionStore({ clock, ttlMs: HOUR });
  const s = store.create('usr_1', { role: 'admin' });
  assert.match(s.id, /^ses_/);
  assert.equal(store.require(s.id).data.role, 'admin');
  clock.advance(HOUR);
  assert.throws(() => store.require(s.id), UnauthorizedError);
  store.create('usr_2');
  clock.advance(2 * HOUR);
  assert.equal(store.sweep(), 1);
  assert.equal(store.size, 0);
});

test('auth client logs in and refreshes expired tokens', async () => {
  const clock = fixedClock(0);
  const paths = [];
  const fetch = async (url) => {
    paths.push(new URL(url).pathname);
    const exp = paths.length === 1 ? 60 : 7200;
    return Response.json({ accessToken: jwt({ sub: 'usr_1', exp }), refreshToken: `r${paths.length}` });
  };
  const auth = createAuthClient({ http: createHttpClient({ baseUrl: 'http://auth.test', fetch }), clock });
  assert.deepEqual(await auth.authHeaders(), {});
  const res = await auth.login('a@b.io', 'pw');
  assert.ok(res.ok);
  assert.equal(auth.claims.sub, 'usr_1');
  clock.advance(HOUR);
  const headers = await auth.authHeaders();
  assert.match(headers.authorization, /^Bearer /);
  assert.deepEqual(paths, ['/auth/login', '/auth/refresh']);
  assert.equal(auth.claims.exp, 7200);
});
