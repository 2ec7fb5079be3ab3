/** Stable error codes shared by every ByteLyst service, with their HTTP status. */
export const ErrorCodes = Object.freeze({
  INTERNAL: 'INTERNAL',
  BAD_REQUEST: 'BAD_REQUEST',
  VALIDATION: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TIMEOUT: 'TIMEOUT',
  UNAVAILABLE: 'UNAVAILABLE',
});

const STATUS = {
  INTERNAL: 500,
  BAD_REQUEST: 400,
  VALIDATION: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TIMEOUT: 504,
  UNAVAILABLE: 503,
};

export function statusForCode(code) {
  return STATUS[code] ?? 500;
}

export function codeForStatus(status) {
  const found = Object.entries(STATUS).find(([, s]) => s === status);
  if (found) return found[0];
  return status >= 500 ? ErrorCodes.INTERNAL : ErrorCodes.BAD_REQUEST;
}
