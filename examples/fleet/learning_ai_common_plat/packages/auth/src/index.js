import { createHttpClient } from '@bytelyst/http-client';
import { systemClock } from '@bytelyst/time';
import { decodeJwt, isExpired, bearer } from './token.js';

export { decodeJwt, isExpired, bearer } from './token.js';
export { createSessionStore } from './session.js';

/**
 * Client for the ByteLyst auth service. Keeps the current access token and
 * refreshes it when it is (about to be) expired.
 */
export function createAuthClient({ baseUrl, http = createHttpClient({ baseUrl }), clock = systemClock }) {
  let tokens = null;

  const store = (res) => {
    if (res.ok) tokens = { ...res.value, claims: decodeJwt(res.value.accessToken) };
    return res;
  };

  return {
    login: async (email, password) => store(await http.post('/auth/login', { email, password })),
    refresh: async () => store(await http.post('/auth/refresh', { refreshToken: tokens?.refreshToken })),
    logout() {
      tokens = null;
    },
    get claims() {
      return tokens?.claims ?? null;
    },
    /** Headers for an authenticated request, refreshing first if needed. */
    async authHeaders() {
      if (!tokens) return {};
      if (isExpired(tokens.claims, { clock })) {
        const res = await this.refresh();
        if (!res.ok) return {};
      }
      return bearer(tokens.accessToken);
    },
  };
}
