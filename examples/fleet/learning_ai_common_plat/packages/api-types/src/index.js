export { User, UserId, Role, CreateUserRequest, newUser } from './user.js';
export { ApiError, paginated, apiErrorBody } from './envelope.js';

/** Current version of the public HTTP API these schemas describe. */
export const API_VERSION = 'v1';

/** Path prefix for a resource under the current API version, e.g. "/v1/users". */
export function apiPath(...segments) {
  const parts = segments.map((s) => encodeURIComponent(String(s)));
  return `/${API_VERSION}/${parts.join('/')}`;
}
