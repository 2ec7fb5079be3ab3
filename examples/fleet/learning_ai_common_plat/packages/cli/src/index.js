import { readFileSync } from 'node:fs';
import { createLogger } from '@bytelyst/logger';
import { parseCli, USAGE } from './args.js';
import { commands } from './commands.js';

export { parseCli, USAGE } from './args.js';

export const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Run the CLI and resolve to a process exit code. */
export async function run(argv, { env = process.env, stdout = process.stdout, stderr = process.stderr, logger } = {}) {
  const print = (line) => stdout.write(`${line}\n`);
  const error = (line) => stderr.write(`${line}\n`);
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    error(`bytelyst: ${e.message}`);
    error(USAGE);
    return 64;
  }
  const { command, positionals, options } = parsed;
  const log = logger ?? createLogger({ level: options.verbose ? 'debug' : 'warn', format: 'pretty', name: 'bytelyst', sink: (line) => error(line) });

  if (command === 'help') return print(USAGE), 0;
  if (command === 'version') return print(VERSION), 0;
  const handler = commands[command];
  if (!handler) {
    error(`bytelyst: unknown command "${command}"\n\n${USAGE}`);
    return 64;
  }
  log.debug('running command', { command, positionals });
  try {
    return await handler({ env, options, positionals, print, error, logger: log });
  } catch (e) {
    log.error('command failed', { command, err: e });
    error(`bytelyst ${command}: ${e.message}`);
    return 1;
  }
}
