export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const UNITS = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parse "1h30m", "250ms", "2d" or a bare number of milliseconds. */
export function parseDuration(input) {
  if (typeof input === 'number') return input;
  const text = String(input).trim();
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let consumed = 0;
  for (const [whole, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * UNITS[unit];
    consumed += whole.length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new TypeError(`Invalid duration: "${input}"`);
  }
  return Math.round(total);
}

/** Format milliseconds as a compact duration, e.g. 5400000 -> "1h30m". */
export function formatDuration(ms) {
  if (ms === 0) return '0ms';
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', SECOND], ['ms', 1]]) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
