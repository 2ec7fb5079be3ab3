export declare const SECOND: number;
export declare const MINUTE: number;
export declare const HOUR: number;
export declare const DAY: number;
export declare function parseDuration(input: string | number): number;
export declare function formatDuration(ms: number): string;
