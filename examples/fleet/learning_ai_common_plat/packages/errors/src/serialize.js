import { AppError } from './index.js';

/** Plain JSON shape for logs and API error bodies. Causes are flattened. */
export function toJSON(error, { stack = false } = {}) {
  if (!(error instanceof Error)) return { code: 'INTERNAL', message: String(error) };
  const out = {
    name: error.name,
    code: error.code ?? 'INTERNAL',
    message: error.message,
  };
  if (error.status !== undefined) out.status = error.status;
  if (error.details !== undefined) out.details = error.details;
  if (error.cause !== undefined) out.cause = toJSON(error.cause, { stack });
  if (stack && error.stack) out.stack = error.stack;
  return out;
}

/** Rebuild an AppError from the JSON produced by `toJSON` (e.g. an HTTP body). */
export function fromJSON(json) {
  const cause = json.cause ? fromJSON(json.cause) : undefined;
  const error = new AppError(json.code ?? 'INTERNAL', json.message ?? 'Unknown error', {
    details: json.details,
    status: json.status,
    cause,
  });
  if (json.name) error.name = json.name;
  return error;
}
