import { z } from '@bytelyst/validation';

/** Body of every non-2xx response (matches @bytelyst/errors toJSON). */
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

/** Wrap an item schema in the standard cursor-paginated list envelope. */
export function paginated(item) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
  });
}

export function apiErrorBody(error) {
  const { code = 'INTERNAL', message = 'Internal error', details } = error;
  return ApiError.parse({ error: details === undefined ? { code, message } : { code, message, details } });
}
