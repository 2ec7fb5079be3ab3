import type { Clock } from '@bytelyst/time';

export interface BytelystEvent<T = unknown> {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time: string;
  readonly data: T;
}

export type Handler<T = unknown> = (event: BytelystEvent<T>) => void | Promise<void>;

export interface EventBus {
  on<T = unknown>(pattern: string, handler: Handler<T>): () => boolean;
  once<T = unknown>(pattern: string, handler: Handler<T>): () => boolean;
  emit(event: BytelystEvent): Promise<{ delivered: number; errors: unknown[] }>;
  readonly listenerCount: number;
}

export declare function createEvent<T>(
  type: string,
  data: T,
  options?: { source?: string; clock?: Clock; id?: string }
): BytelystEvent<T>;
export declare function matchesType(pattern: string, type: string): boolean;
export declare function createEventBus(): EventBus;
