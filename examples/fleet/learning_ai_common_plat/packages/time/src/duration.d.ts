/** Milliseconds in one second. */
export declare const SECOND: number;
/** Milliseconds in one minute. */
export declare const MINUTE: number;
/** Milliseconds in one hour. */
export declare const HOUR: number;
/** Milliseconds in one day. */
export declare const DAY: number;

/**
 * Parse "1h30m", "250ms", "1.5s", "2d" or a bare number of milliseconds.
 * @throws TypeError when the string is not a valid duration.
 */
export declare function parseDuration(input: string | number): number;

/** Format milliseconds compactly, e.g. 5400000 -> "1h30m", -3600000 -> "-1h". */
export declare function formatDuration(ms: number): string;
