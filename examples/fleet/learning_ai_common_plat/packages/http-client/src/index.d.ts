import type { AppError } from '@bytelyst/errors';
import type { Logger } from '@bytelyst/logger';
import type { Result } from '@bytelyst/result';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string | undefined>;
}

export interface HttpClientOptions {
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

export interface HttpClient {
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<Result<T, AppError>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<Result<T, AppError>>;
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<Result<T, AppError>>;
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<Result<T, AppError>>;
}

export interface RetryOptions {
  retries?: number;
  baseDelayMs?: number;
  shouldRetry?: (error: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export declare function createHttpClient(options: HttpClientOptions): HttpClient;
export declare function withRetry<T>(fn: (attempt: number) => Promise<T>, options?: RetryOptions): Promise<T>;
export declare function isRetryable(error: unknown): boolean;
