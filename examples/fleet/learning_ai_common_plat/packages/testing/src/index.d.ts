import type { Logger, LogEntry, Level } from '@bytelyst/logger';

export interface MemoryLogger {
  logger: Logger;
  entries: LogEntry[];
  messages(level?: Level): string[];
  find(msg: string): LogEntry | undefined;
  clear(): void;
}

export interface FakeRequest {
  url: URL;
  method: string;
  body: unknown;
  headers: Record<string, string>;
}

export type Route = unknown | ((request: FakeRequest) => unknown | Response | Promise<unknown | Response>);

export interface FakeFetch {
  (input: string | { url: string }, init?: { method?: string; body?: string; headers?: Record<string, string> }): Promise<Response>;
  calls: FakeRequest[];
}

export interface WritableLike {
  write(chunk: string): boolean;
}

export declare function createMemoryLogger(options?: { level?: Level; name?: string }): MemoryLogger;
export declare function fakeFetch(routes?: Record<string, Route>): FakeFetch;
export declare function captureStreams(): {
  stdout: WritableLike;
  stderr: WritableLike;
  readonly output: { stdout: string; stderr: string };
};
