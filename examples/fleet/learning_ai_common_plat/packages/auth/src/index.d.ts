import type { AppError } from '@bytelyst/errors';
import type { HttpClient } from '@bytelyst/http-client';
import type { Result } from '@bytelyst/result';
import type { Clock } from '@bytelyst/time';

export interface Claims {
  sub?: string;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export interface Session<D = Record<string, unknown>> {
  id: string;
  userId: string;
  data: D;
  expiresAt: number;
}

export interface SessionStore {
  create<D>(userId: string, data?: D): Session<D>;
  require(id: string): Session;
  touch(id: string): Session;
  revoke(id: string): boolean;
  sweep(): number;
  readonly size: number;
}

export interface AuthClient {
  login(email: string, password: string): Promise<Result<TokenPair, AppError>>;
  refresh(): Promise<Result<TokenPair, AppError>>;
  logout(): void;
  readonly claims: Claims | null;
  authHeaders(): Promise<Record<string, string>>;
}

export declare function decodeJwt(token: string): Claims;
export declare function isExpired(claims: Claims, options?: { clock?: Clock; skewMs?: number }): boolean;
export declare function bearer(token: string): { authorization: string };
export declare function createSessionStore(options?: { clock?: Clock; ttlMs?: number }): SessionStore;
export declare function createAuthClient(options: { baseUrl?: string; http?: HttpClient; clock?: Clock }): AuthClient;
