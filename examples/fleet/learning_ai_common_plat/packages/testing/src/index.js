import { createLogger } from '@bytelyst/logger';

export { fakeFetch } from './fakes.js';

/** A real @bytelyst/logger whose entries are kept in memory for assertions. */
export function createMemoryLogger({ level = 'debug', name } = {}) {
  const entries = [];
  const logger = createLogger({
    level,
    name,
    now: () => '1970-01-01T00:00:00.000Z',
    sink: (_line, _level, entry) => entries.push(entry),
  });
  return {
    logger,
    entries,
    messages: (lvl) => entries.filter((e) => !lvl || e.level === lvl).map((e) => e.msg),
    find: (msg) => entries.find((e) => e.msg === msg),
    clear: () => entries.splice(0),
  };
}

/** Collects writes for code that takes `{ stdout, stderr }` streams. */
export function captureStreams() {
  const out = { stdout: '', stderr: '' };
  return {
    stdout: { write: (chunk) => { out.stdout += chunk; return true; } },
    stderr: { write: (chunk) => { out.stderr += chunk; return true; } },
    get output() {
      return { ...out };
    },
  };
}
