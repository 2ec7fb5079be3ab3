const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry on network errors and 429/502/503/504 responses. */
export function isRetryable(error) {
  if (error?.status === undefined) return true;
  return [429, 502, 503, 504].includes(error.status);
}

/**
 * Run `fn(attempt)` until it succeeds or `retries` extra attempts are used.
 * Backoff doubles from `baseDelayMs`.
 */
export async function withRetry(fn, { retries = 2, baseDelayMs = 100, shouldRetry = isRetryable, sleep = defaultSleep, onRetry } = {}) {
  let attempt = 0;
  for (;;) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !shouldRetry(error)) throw error;
      const delay = baseDelayMs * 2 ** attempt;
      onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
      attempt += 1;
    }
  }
}
