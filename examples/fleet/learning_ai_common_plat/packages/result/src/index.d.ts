export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}
export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}
export type Result<T, E = Error> = Ok<T> | Err<E>;

export declare function ok<T>(value: T): Ok<T>;
export declare function err<E>(error: E): Err<E>;
export declare function isOk<T, E>(result: Result<T, E>): result is Ok<T>;
export declare function isErr<T, E>(result: Result<T, E>): result is Err<E>;
export declare function map<T, U, E>(result: Result<T, E>, fn: (value: T) => U): Result<U, E>;
export declare function mapErr<T, E, F>(result: Result<T, E>, fn: (error: E) => F): Result<T, F>;
export declare function andThen<T, U, E>(
  result: Result<T, E>,
  fn: (value: T) => Result<U, E>
): Result<U, E>;
export declare function unwrap<T, E>(result: Result<T, E>): T;
export declare function unwrapOr<T, E>(result: Result<T, E>, fallback: T): T;
export declare function match<T, E, R>(
  result: Result<T, E>,
  handlers: { ok: (value: T) => R; err: (error: E) => R }
): R;

export declare function fromPromise<T, E = unknown>(
  promise: Promise<T>,
  mapError?: (error: unknown) => E
): Promise<Result<T, E>>;
export declare function tryCatch<T, E = unknown>(
  fn: () => T | Promise<T>,
  mapError?: (error: unknown) => E
): Promise<Result<T, E>>;
export declare function all<T, E>(results: Array<Result<T, E>>): Result<T[], E>;
