export declare const ErrorCodes: Readonly<{
  INTERNAL: 'INTERNAL';
  BAD_REQUEST: 'BAD_REQUEST';
  VALIDATION: 'VALIDATION';
  UNAUTHORIZED: 'UNAUTHORIZED';
  FORBIDDEN: 'FORBIDDEN';
  NOT_FOUND: 'NOT_FOUND';
  CONFLICT: 'CONFLICT';
  TIMEOUT: 'TIMEOUT';
  UNAVAILABLE: 'UNAVAILABLE';
}>;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
  status?: number;
}

export declare class AppError extends Error {
  constructor(code: ErrorCode | string, message: string, options?: AppErrorOptions);
  code: ErrorCode | string;
  status: number;
  details?: unknown;
}
export declare class NotFoundError extends AppError {
  constructor(what: string, details?: unknown);
}
export declare class ValidationError extends AppError {
  constructor(message: string, issues?: Array<{ path: string; message: string }>);
}
export declare class UnauthorizedError extends AppError {
  constructor(message?: string);
}

export interface ErrorJSON {
  name?: string;
  code: string;
  message: string;
  status?: number;
  details?: unknown;
  cause?: ErrorJSON;
  stack?: string;
}

export declare function isAppError(value: unknown): value is AppError;
export declare function wrap(value: unknown, code?: ErrorCode): AppError;
export declare function statusForCode(code: string): number;
export declare function codeForStatus(status: number): ErrorCode;
export declare function toJSON(error: unknown, options?: { stack?: boolean }): ErrorJSON;
export declare function fromJSON(json: ErrorJSON): AppError;
