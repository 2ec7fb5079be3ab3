export { parseDuration, formatDuration, SECOND, MINUTE, HOUR, DAY } from './duration.js';
export { toIso, startOfDayUtc, addMs, isBefore } from './dates.js';

/** The real wall clock. */
export const systemClock = Object.freeze({
  now: () => Date.now(),
  date: () => new Date(),
});

/** A manually advanced clock for tests and simulations. */
export function fixedClock(start = 0) {
  let current = typeof start === 'number' ? start : new Date(start).getTime();
  return {
    now: () => current,
    date: () => new Date(current),
    advance(ms) {
      current += ms;
      return current;
    },
    set(ms) {
      current = ms;
    },
  };
}

/** Resolve after `ms` milliseconds; rejects early if the signal aborts. */
export function sleep(ms, { signal } = {}) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
