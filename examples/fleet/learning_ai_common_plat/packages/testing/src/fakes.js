/**
 * A `fetch` stand-in driven by a route table: { 'GET /users': handler | body }.
 * Handlers receive ({ url, method, body, headers }) and may return a Response or
 * a plain object (sent as JSON, status 200). Unknown routes return 404.
 */
export function fakeFetch(routes = {}) {
  const calls = [];
  async function fetch(input, init = {}) {
    const url = new URL(typeof input === 'string' ? input : input.url);
    const method = (init.method ?? 'GET').toUpperCase();
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    const request = { url, method, body, headers: init.headers ?? {} };
    calls.push(request);
    const route = routes[`${method} ${url.pathname}`];
    if (route === undefined) {
      return Response.json({ error: { code: 'NOT_FOUND', message: `No route ${method} ${url.pathname}` } }, { status: 404 });
    }
    const result = typeof route === 'function' ? await route(request) : route;
    return result instanceof Response ? result : Response.json(result);
  }
  fetch.calls = calls;
  return fetch;
}
