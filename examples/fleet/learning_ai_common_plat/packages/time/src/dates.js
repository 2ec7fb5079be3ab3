function toDate(value) {
  return value instanceof Date ? value : new Date(value);
}

/** ISO-8601 string in UTC. */
export function toIso(value) {
  return toDate(value).toISOString();
}

/** Midnight UTC of the given instant, as epoch ms. */
export function startOfDayUtc(value) {
  const d = toDate(value);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export function addMs(value, ms) {
  return new Date(toDate(value).getTime() + ms);
}

export function isBefore(a, b) {
  return toDate(a).getTime() < toDate(b).getTime();
}
