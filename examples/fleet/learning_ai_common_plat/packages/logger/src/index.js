import { loadConfig } from '@bytelyst/config';
import { LEVELS, shouldLog, isLevel } from './levels.js';
import { formatJson, formatPretty } from './format.js';

export { LEVELS, shouldLog, isLevel, formatJson, formatPretty };

const defaultSink = (line, level) => {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
};

export function createLogger({
  level = 'info',
  name,
  format = 'json',
  sink = defaultSink,
  now = () => new Date().toISOString(),
  bindings = {},
} = {}) {
  const render = format === 'pretty' ? formatPretty : formatJson;
  const log = (lvl) => (msg, fields = {}) => {
    if (!shouldLog(lvl, level)) return;
    const entry = { time: now(), level: lvl, ...(name ? { name } : {}), msg, ...bindings, ...fields };
    sink(render(entry), lvl, entry);
  };
  return {
    level,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (extra) =>
      createLogger({ level, name, format, sink, now, bindings: { ...bindings, ...extra } }),
  };
}

/** Build a logger from LOG_LEVEL / LOG_FORMAT / LOG_NAME. */
export function loggerFromEnv(env = process.env, options = {}) {
  const cfg = loadConfig(
    {
      level: { env: 'LOG_LEVEL', default: 'info' },
      format: { env: 'LOG_FORMAT', default: 'json' },
      name: { env: 'LOG_NAME' },
    },
    env
  );
  if (!isLevel(cfg.level)) throw new TypeError(`LOG_LEVEL: unknown level "${cfg.level}"`);
  return createLogger({ ...cfg, ...options });
}
