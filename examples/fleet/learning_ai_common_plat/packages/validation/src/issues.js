/** Flatten a ZodError into `{ path, message, code }` entries with dotted paths. */
export function formatIssues(zodError) {
  return zodError.issues.map((issue) => ({
    path: issue.path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
      .join(''),
    message: issue.message,
    code: issue.code,
  }));
}

/** Group issues by their top-level field, handy for form error display. */
export function issuesByField(issues) {
  const out = {};
  for (const issue of issues) {
    const field = issue.path.split(/[.[]/)[0] || '_';
    (out[field] ??= []).push(issue.message);
  }
  return out;
}
