export type ConfigType = 'string' | 'number' | 'boolean' | 'list';

export interface ConfigEntry<T = unknown> {
  env?: string;
  type?: ConfigType;
  default?: T;
  required?: boolean;
}

export type ConfigSpec = Record<string, ConfigEntry>;

export type EnvRecord = Record<string, string | undefined>;

export declare function loadConfig<S extends ConfigSpec>(
  spec: S,
  env?: EnvRecord
): Readonly<{ [K in keyof S]: any }>;

export declare function toEnvName(key: string): string;
export declare function parseBool(raw: string, name?: string): boolean;
export declare function parseNumber(raw: string, name?: string): number;
export declare function parseList(raw: string): string[];
export declare function parseDotenv(text: string): Record<string, string>;
