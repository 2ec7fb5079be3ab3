const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)?\s*$/;

function unquote(value) {
  const first = value[0];
  if ((first === '"' || first === "'") && value.endsWith(first) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return first === '"' ? inner.replace(/\\n/g, '\n') : inner;
  }
  const hash = value.indexOf(' #');
  return (hash === -1 ? value : value.slice(0, hash)).trim();
}

/** Parse the text of a .env file into a plain record. Later keys win. */
export function parseDotenv(text) {
  const out = {};
  for (const line of String(text).split(/\r?\n/)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    out[match[1]] = unquote((match[2] ?? '').trim());
  }
  return out;
}
