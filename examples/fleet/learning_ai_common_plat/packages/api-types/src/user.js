import { z, schemas } from '@bytelyst/validation';
import { prefixedId } from '@bytelyst/ids';

export const UserId = schemas.prefixedId('usr');

export const Role = z.enum(['member', 'admin', 'owner']);

export const User = z.object({
  id: UserId,
  email: schemas.email,
  displayName: schemas.nonEmptyString.max(80),
  role: Role.default('member'),
  createdAt: schemas.isoDateTime,
});

export const CreateUserRequest = User.pick({ email: true, displayName: true, role: true });

/** Build a full User record from a validated create request. */
export function newUser(request, { now = new Date(), idOptions } = {}) {
  const input = CreateUserRequest.parse(request);
  return User.parse({ ...input, id: prefixedId('usr', idOptions), createdAt: now.toISOString() });
}
