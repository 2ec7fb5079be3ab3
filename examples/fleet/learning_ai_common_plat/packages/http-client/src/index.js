import { AppError, ErrorCodes, codeForStatus, fromJSON, wrap } from '@bytelyst/errors';
import { createLogger } from '@bytelyst/logger';
import { ok, err } from '@bytelyst/result';
import { mergeHeaders, JSON_HEADERS, buildUrl } from './internal/headers.js';
import { withRetry } from './retry.js';

export { withRetry, isRetryable } from './retry.js';

async function toAppError(response) {
  const body = await response.json().catch(() => null);
  if (body?.error?.code) return fromJSON({ ...body.error, status: response.status });
  return new AppError(codeForStatus(response.status), `HTTP ${response.status}`, { status: response.status });
}

export function createHttpClient({ baseUrl, fetch = globalThis.fetch, headers = {}, retries = 2, sleep, logger = createLogger({ level: 'silent' }) }) {
  async function request(method, path, { body, query, headers: extra } = {}) {
    const url = buildUrl(baseUrl, path, query);
    const init = { method, headers: mergeHeaders(JSON_HEADERS, headers, extra) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const attemptOnce = async (attempt) => {
      const response = await fetch(url, init);
      logger.debug('http response', { method, url, status: response.status, attempt });
      if (!response.ok) throw await toAppError(response);
      return response.status === 204 ? undefined : response.json();
    };
    try {
      const onRetry = (e, n, delay) => logger.warn('http retry', { url, attempt: n, delay, err: e });
      return ok(await withRetry(attemptOnce, { retries, sleep, onRetry }));
    } catch (error) {
      return err(wrap(error, ErrorCodes.UNAVAILABLE));
    }
  }
  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    delete: (path, options) => request('DELETE', path, options),
  };
}
