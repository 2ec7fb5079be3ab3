import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient, withRetry } from '../src/index.js';
import { mergeHeaders, buildUrl } from '../src/internal/headers.js';

const json = (status, body) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

test('GET returns ok(body) and sends merged headers and query', async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return json(200, { id: 1 });
  };
  const client = createHttpClient({ baseUrl: 'http://api.test/v1', fetch, headers: { Authorization: 'Bearer t' } });
  const res = await client.get('/users', { query: { limit: 5, cursor: undefined } });
  assert.deepEqual(res, { ok: true, value: { id: 1 } });
  assert.equal(calls[0].url, 'http://api.test/v1/users?limit=5');
  assert.equal(calls[0].init.headers.authorization, 'Bearer t');
});

test('error bodies become AppErrors; 503 is retried', async () => {
  let n = 0;
  const fetch = async () => (++n < 3 ? json(503, {}) : json(404, { error: { code: 'NOT_FOUND', message: 'User not found' } }));
  const client = createHttpClient({ baseUrl: 'http://api.test', fetch, sleep: async () => {} });
  const res = await client.post('/users/x', { a: 1 });
  assert.equal(n, 3);
  assert.equal(res.ok, false);
  assert.equal(res.error.code, 'NOT_FOUND');
  assert.equal(res.error.status, 404);
});

test('network failures are wrapped as UNAVAILABLE', async () => {
  const fetch = async () => {
    throw new TypeError('fetch failed');
  };
  const client = createHttpClient({ baseUrl: 'http://api.test', fetch, retries: 0 });
  const res = await client.get('/');
  assert.equal(res.error.code, 'UNAVAILABLE');
});

test('helpers', async () => {
  assert.deepEqual(mergeHeaders({ A: '1', B: '2' }, { a: '3', b: undefined }), { a: '3' });
  assert.equal(buildUrl('http://x/api/', 'v1/items', { q: 'a b' }), 'http://x/api/v1/items?q=a+b');
  const delays = [];
  await assert.rejects(
    withRetry(async () => { throw new Error('down'); }, { retries: 2, sleep: async (d) => delays.push(d) }),
    /down/
  );
  assert.deepEqual(delays, [100, 200]);
});
