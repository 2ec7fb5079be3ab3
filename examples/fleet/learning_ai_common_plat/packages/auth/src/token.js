import { UnauthorizedError } from '@bytelyst/errors';
import { systemClock } from '@bytelyst/time';

/** Decode (without verifying!) the payload segment of a JWT. */
export function decodeJwt(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) throw new UnauthorizedError('Malformed token');
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedError('Malformed token payload');
  }
}

/** True when `exp` (seconds) is in the past, allowing `skewMs` of clock drift. */
export function isExpired(claims, { clock = systemClock, skewMs = 30_000 } = {}) {
  if (typeof claims.exp !== 'number') return false;
  return claims.exp * 1000 + skewMs <= clock.now();
}

export function bearer(token) {
  return { authorization: `Bearer ${token}` };
}
