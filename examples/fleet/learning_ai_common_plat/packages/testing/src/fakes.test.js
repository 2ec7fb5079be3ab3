// Colocated unit test: kept out of the published tarball by "!src/**/*.test.js".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeFetch } from './fakes.js';

test('fakeFetch routes by method and path and records calls', async () => {
  const fetch = fakeFetch({
    'GET /ping': { pong: true },
    'POST /echo': ({ body }) => body,
    'GET /teapot': () => new Response('short and stout', { status: 418 }),
  });
  assert.deepEqual(await (await fetch('http://x/ping')).json(), { pong: true });
  assert.deepEqual(await (await fetch('http://x/echo', { method: 'post', body: '{"a":1}' })).json(), { a: 1 });
  assert.equal((await fetch('http://x/teapot')).status, 418);
  assert.equal((await fetch('http://x/missing')).status, 404);
  assert.deepEqual(fetch.calls.map((c) => c.method), ['GET', 'POST', 'GET', 'GET']);
});
