import type { EnvRecord } from '@bytelyst/config';
import type { TtlCache } from '@bytelyst/cache';

export interface FlagDefinition {
  enabled: boolean;
  /** Percentage 0-100 of subjects that see the flag. */
  rollout?: number;
}

export interface Flags {
  isEnabled(name: string, context?: { subject?: string }): boolean;
  list(): Array<FlagDefinition & { name: string }>;
}

export declare function fnv1a(text: string): number;
export declare function bucket(flag: string, subject: string): number;
export declare function parseFlagList(raw: string | undefined): Record<string, FlagDefinition>;
export declare function createFlags(options?: {
  definitions?: Record<string, FlagDefinition>;
  cache?: TtlCache<string, boolean>;
}): Flags;
export declare function flagsFromEnv(env?: EnvRecord, options?: { cache?: TtlCache<string, boolean> }): Flags;
