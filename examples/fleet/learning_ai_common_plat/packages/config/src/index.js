import { parseBool, parseNumber, parseList } from './parse.js';
import { parseDotenv } from './dotenv.js';

export { parseBool, parseNumber, parseList, parseDotenv };

const parsers = {
  string: (raw) => raw,
  number: parseNumber,
  boolean: parseBool,
  list: parseList,
};

/** Convert a camelCase key to its conventional ENV_NAME. */
export function toEnvName(key) {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * Load a frozen, typed config object from an env-like record.
 * Each spec entry: { env?, type?, default?, required? }.
 */
export function loadConfig(spec, env = process.env) {
  const out = {};
  const missing = [];
  for (const [key, def] of Object.entries(spec)) {
    const name = def.env ?? toEnvName(key);
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (def.required && def.default === undefined) missing.push(name);
      out[key] = def.default;
      continue;
    }
    const parse = parsers[def.type ?? 'string'];
    if (!parse) throw new TypeError(`Unknown config type "${def.type}" for "${key}"`);
    out[key] = parse(raw, name);
  }
  if (missing.length > 0) {
    throw new Error(`Missing required config: ${missing.join(', ')}`);
  }
  return Object.freeze(out);
}
