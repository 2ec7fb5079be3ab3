import { ValidationError } from '@bytelyst/errors';
import { formatIssues } from './issues.js';

export { z } from 'zod';
export { formatIssues } from './issues.js';
export * as schemas from './schemas.js';

/** Parse `input` with a zod schema or throw a ValidationError listing every issue. */
export function parseOrThrow(schema, input, label = 'input') {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = formatIssues(parsed.error);
  throw new ValidationError(`Invalid ${label}: ${issues[0].path || '(root)'} ${issues[0].message}`, issues);
}

/** Result-shaped variant: { ok: true, value } or { ok: false, error: ValidationError }. */
export function validate(schema, input, label) {
  try {
    return { ok: true, value: parseOrThrow(schema, input, label) };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, error };
    throw error;
  }
}
