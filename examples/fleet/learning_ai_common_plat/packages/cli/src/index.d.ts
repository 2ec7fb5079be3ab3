import type { Logger } from '@bytelyst/logger';
import type { EnvRecord } from '@bytelyst/config';

export interface WritableLike {
  write(chunk: string): unknown;
}

export interface RunOptions {
  env?: EnvRecord;
  stdout?: WritableLike;
  stderr?: WritableLike;
  logger?: Logger;
}

export interface ParsedCli {
  command: string;
  positionals: string[];
  options: {
    help?: boolean;
    version?: boolean;
    verbose?: boolean;
    json?: boolean;
    'env-file'?: string;
    require?: string;
  };
}

export declare const VERSION: string;
export declare const USAGE: string;
export declare function parseCli(argv: string[]): ParsedCli;
/** Resolves to the process exit code. */
export declare function run(argv: string[], options?: RunOptions): Promise<number>;
