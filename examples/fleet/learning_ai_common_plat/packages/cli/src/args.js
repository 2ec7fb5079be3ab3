import { parseArgs } from 'node:util';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  verbose: { type: 'boolean' },
  json: { type: 'boolean' },
  'env-file': { type: 'string' },
  require: { type: 'string' },
};

/** Parse argv into { command, positionals, options }; throws on unknown flags. */
export function parseCli(argv) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  return { command: values.version ? 'version' : values.help ? 'help' : command ?? 'help', positionals: rest, options: values };
}

export const USAGE = `Usage: bytelyst <command> [options]

Commands:
  config      Print the resolved service configuration
  env-check   Verify that required variables are set (--require A,B)
  flags       List feature flags from FEATURE_FLAGS
  version     Print the CLI version
  help        Show this message

Options:
  --env-file <path>  Load variables from a .env file (process env wins)
  --json             Machine readable output
  --verbose          Debug logging to stderr
  -h, --help         Show this message
  -v, --version      Print the CLI version
`;
