import type { Clock } from '@bytelyst/time';

export interface UlidOptions {
  clock?: Clock;
  random?: (size: number) => Uint8Array;
}

export declare const ALPHABET: string;
export declare function ulid(options?: UlidOptions): string;
export declare function isUlid(value: unknown): value is string;
export declare function decodeTime(id: string): number;

export declare function prefixedId(prefix: string, options?: UlidOptions): string;
export declare function parsePrefixed(id: string): { prefix: string; ulid: string } | null;
export declare function isPrefixed(id: string, prefix?: string): boolean;
