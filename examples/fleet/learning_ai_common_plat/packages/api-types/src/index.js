export { User, UserId, Role, CreateUserRequest, newUser } from './user.js';
export { ApiError, paginated, apiErrorBody } from './envelope.js';

/** Current version of the public HTTP API these schemas describe. */
export const API_VERSION = 'v1';
