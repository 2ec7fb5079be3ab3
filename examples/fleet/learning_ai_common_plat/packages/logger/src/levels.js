export const LEVELS = Object.freeze({
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
});

export function isLevel(value) {
  return Object.hasOwn(LEVELS, value);
}

/** True when a message at `level` passes a logger configured at `threshold`. */
export function shouldLog(level, threshold) {
  if (!isLevel(level) || !isLevel(threshold)) {
    throw new TypeError(`Unknown log level: ${isLevel(level) ? threshold : level}`);
  }
  return level !== 'silent' && LEVELS[level] >= LEVELS[threshold];
}
