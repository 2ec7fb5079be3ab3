import { ok, err } from './index.js';

/** Resolve a promise into a Result, never rejecting. */
export async function fromPromise(promise, mapError = (e) => e) {
  try {
    return ok(await promise);
  } catch (error) {
    return err(mapError(error));
  }
}

/** Run a sync or async function and capture throws as `err`. */
export async function tryCatch(fn, mapError = (e) => e) {
  try {
    return ok(await fn());
  } catch (error) {
    return err(mapError(error));
  }
}

/** Combine results: first error wins, otherwise ok(array of values). */
export function all(results) {
  const values = [];
  for (const result of results) {
    if (!result.ok) return result;
    values.push(result.value);
  }
  return ok(values);
}
