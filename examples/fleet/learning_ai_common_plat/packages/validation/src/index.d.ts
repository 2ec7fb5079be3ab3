import type { z as Z, ZodTypeAny, ZodError } from 'zod';
import type { ValidationError } from '@bytelyst/errors';

export { z } from 'zod';

export interface Issue {
  path: string;
  message: string;
  code: string;
}

export declare function formatIssues(error: ZodError): Issue[];
export declare function parseOrThrow<S extends ZodTypeAny>(schema: S, input: unknown, label?: string): Z.infer<S>;
export declare function validate<S extends ZodTypeAny>(
  schema: S,
  input: unknown,
  label?: string
): { ok: true; value: Z.infer<S> } | { ok: false; error: ValidationError };

export declare namespace schemas {
  const nonEmptyString: Z.ZodString;
  const email: Z.ZodString;
  const port: Z.ZodNumber;
  const isoDateTime: Z.ZodString;
  const pagination: Z.ZodObject<{
    limit: Z.ZodDefault<Z.ZodNumber>;
    cursor: Z.ZodOptional<Z.ZodString>;
  }>;
  function prefixedId(prefix: string): Z.ZodString;
}
