import type { EnvRecord } from '@bytelyst/config';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface LogEntry extends LogFields {
  time: string;
  level: Exclude<Level, 'silent'>;
  msg: string;
  name?: string;
}

export type Sink = (line: string, level: Level, entry: LogEntry) => void;

export interface LoggerOptions {
  level?: Level;
  name?: string;
  format?: 'json' | 'pretty';
  sink?: Sink;
  now?: () => string;
  bindings?: LogFields;
}

export interface Logger {
  readonly level: Level;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

export declare const LEVELS: Readonly<Record<Level, number>>;
export declare function isLevel(value: unknown): value is Level;
export declare function shouldLog(level: Level, threshold: Level): boolean;
export declare function formatJson(entry: LogEntry): string;
export declare function formatPretty(entry: LogEntry, options?: { color?: boolean }): string;
export declare function createLogger(options?: LoggerOptions): Logger;
export declare function loggerFromEnv(env?: EnvRecord, options?: LoggerOptions): Logger;
