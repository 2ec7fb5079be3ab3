import { z } from 'zod';

export const nonEmptyString = z.string().trim().min(1, 'must not be empty');

export const email = z.string().trim().toLowerCase().email('must be a valid email');

export const port = z.coerce.number().int().min(1).max(65535);

export const isoDateTime = z.string().datetime({ offset: true });

export const pagination = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

/** Schema for ids like `usr_01hq...` produced by @bytelyst/ids. */
export function prefixedId(prefix) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`), `must be a ${prefix}_ id`);
}
