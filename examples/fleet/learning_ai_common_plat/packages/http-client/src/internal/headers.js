/** Merge header records case-insensitively; later records win, undefined removes. */
export function mergeHeaders(...records) {
  const out = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record ?? {})) {
      const name = key.toLowerCase();
      if (value === undefined || value === null) delete out[name];
      else out[name] = String(value);
    }
  }
  return out;
}

export const JSON_HEADERS = Object.freeze({
  accept: 'application/json',
  'content-type': 'application/json',
});

export function buildUrl(baseUrl, path, query) {
  const url = new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}
