import { prefixedId } from '@bytelyst/ids';
import { systemClock, HOUR } from '@bytelyst/time';
import { UnauthorizedError } from '@bytelyst/errors';

export function createSessionStore({ clock = systemClock, ttlMs = 12 * HOUR } = {}) {
  const sessions = new Map();

  return {
    create(userId, data = {}) {
      const session = { id: prefixedId('ses', { clock }), userId, data, expiresAt: clock.now() + ttlMs };
      sessions.set(session.id, session);
      return session;
    },
    /** Return the live session or throw UnauthorizedError. */
    require(id) {
      const session = sessions.get(id);
      if (!session || session.expiresAt <= clock.now()) {
        sessions.delete(id);
        throw new UnauthorizedError('Session expired or unknown');
      }
      return session;
    },
    touch(id) {
      const session = this.require(id);
      session.expiresAt = clock.now() + ttlMs;
      return session;
    },
    revoke: (id) => sessions.delete(id),
    sweep() {
      let removed = 0;
      for (const [id, s] of sessions) if (s.expiresAt <= clock.now() && sessions.delete(id)) removed++;
      return removed;
    },
    get size() {
      return sessions.size;
    },
  };
}
