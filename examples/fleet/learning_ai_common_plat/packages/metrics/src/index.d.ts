import type { Clock } from '@bytelyst/time';

export interface Counter {
  inc(by?: number): void;
  get(): number;
}
export interface Gauge {
  set(value: number): void;
  inc(by?: number): void;
  get(): number;
}
export interface Histogram {
  observe(value: number): void;
  startTimer(): () => void;
}

export type MetricSnapshot =
  | { name: string; type: 'counter' | 'gauge'; help: string; value: number }
  | { name: string; type: 'histogram'; help: string; buckets: number[]; counts: number[]; sum: number; count: number };

export interface Registry {
  counter(name: string, help?: string): Counter;
  gauge(name: string, help?: string): Gauge;
  histogram(name: string, help?: string, buckets?: number[]): Histogram;
  snapshot(): MetricSnapshot[];
}

export declare const DEFAULT_BUCKETS: number[];
export declare function createRegistry(options?: { clock?: Clock }): Registry;
export declare function renderPrometheus(snapshot: MetricSnapshot[]): string;
