import { toJSON } from '@bytelyst/errors';

/** Replace Error values (anywhere at the top level) with serializable objects. */
export function normalize(fields) {
  const out = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? toJSON(value) : value;
  }
  return out;
}

export function formatJson(entry) {
  return JSON.stringify(normalize(entry));
}

const COLORS = { debug: 90, info: 36, warn: 33, error: 31 };

export function formatPretty(entry, { color = false } = {}) {
  const { time, level, msg, name, ...rest } = normalize(entry);
  const tag = level.toUpperCase().padEnd(5);
  const label = color ? `\x1b[${COLORS[level]}m${tag}\x1b[0m` : tag;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${time} ${label} ${name ? `[${name}] ` : ''}${msg}${extra}`;
}
