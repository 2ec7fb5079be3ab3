export * from './duration.js';

export interface Clock {
  now(): number;
  date(): Date;
}

export interface ManualClock extends Clock {
  advance(ms: number): number;
  set(ms: number): void;
}

export type DateInput = Date | number | string;

export declare const systemClock: Clock;
export declare function fixedClock(start?: DateInput): ManualClock;
export declare function sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void>;
export declare function toIso(value: DateInput): string;
export declare function startOfDayUtc(value: DateInput): number;
export declare function addMs(value: DateInput, ms: number): Date;
export declare function isBefore(a: DateInput, b: DateInput): boolean;
