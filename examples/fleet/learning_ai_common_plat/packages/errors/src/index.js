import { ErrorCodes, statusForCode, codeForStatus } from './codes.js';

export { ErrorCodes, statusForCode, codeForStatus };
export { toJSON, fromJSON } from './serialize.js';

export class AppError extends Error {
  constructor(code, message, { details, cause, status } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status ?? statusForCode(code);
    this.details = details;
  }
}

export class NotFoundError extends AppError {
  constructor(what, details) {
    super(ErrorCodes.NOT_FOUND, `${what} not found`, { details });
    this.name = 'NotFoundError';
  }
}

export class ValidationError extends AppError {
  constructor(message, issues = []) {
    super(ErrorCodes.VALIDATION, message, { details: { issues } });
    this.name = 'ValidationError';
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Unauthorized') {
    super(ErrorCodes.UNAUTHORIZED, message);
    this.name = 'UnauthorizedError';
  }
}

export function isAppError(value) {
  return value instanceof AppError;
}

/** Wrap any thrown value into an AppError, preserving it as `cause`. */
export function wrap(value, code = ErrorCodes.INTERNAL) {
  if (isAppError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AppError(code, message, { cause: value });
}
