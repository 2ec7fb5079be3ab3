const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off']);

/** Parse common boolean spellings ("1", "yes", "off", ...). */
export function parseBool(raw, name = 'value') {
  const value = String(raw).trim().toLowerCase();
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  throw new TypeError(`${name}: expected a boolean, got "${raw}"`);
}

/** Parse a finite number, rejecting empty strings and NaN. */
export function parseNumber(raw, name = 'value') {
  const text = String(raw).trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) {
    throw new TypeError(`${name}: expected a number, got "${raw}"`);
  }
  return value;
}

/** Parse a comma separated list, dropping blanks. */
export function parseList(raw) {
  return String(raw)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
