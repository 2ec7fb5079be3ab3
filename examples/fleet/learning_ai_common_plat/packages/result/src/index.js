export { fromPromise, tryCatch, all } from './async.js';

export const ok = (value) => Object.freeze({ ok: true, value });
export const err = (error) => Object.freeze({ ok: false, error });

export const isOk = (result) => result.ok === true;
export const isErr = (result) => result.ok === false;

export function map(result, fn) {
  return result.ok ? ok(fn(result.value)) : result;
}

export function mapErr(result, fn) {
  return result.ok ? result : err(fn(result.error));
}

export function andThen(result, fn) {
  return result.ok ? fn(result.value) : result;
}

export function unwrap(result) {
  if (result.ok) return result.value;
  throw result.error instanceof Error ? result.error : new Error(String(result.error));
}

export function unwrapOr(result, fallback) {
  return result.ok ? result.value : fallback;
}

export function match(result, { ok: onOk, err: onErr }) {
  return result.ok ? onOk(result.value) : onErr(result.error);
}
