import type { z } from '@bytelyst/validation';
import type { UlidOptions } from '@bytelyst/ids';

export declare const API_VERSION: 'v1';
export declare function apiPath(...segments: Array<string | number>): string;

export declare const UserId: z.ZodString;
export declare const Role: z.ZodEnum<['member', 'admin', 'owner']>;
export declare const User: z.ZodObject<{
  id: z.ZodString;
  email: z.ZodString;
  displayName: z.ZodString;
  role: z.ZodDefault<typeof Role>;
  createdAt: z.ZodString;
}>;
export declare const CreateUserRequest: z.ZodObject<{
  email: z.ZodString;
  displayName: z.ZodString;
  role: z.ZodDefault<typeof Role>;
}>;

export type User = z.infer<typeof User>;
export type CreateUserRequest = z.input<typeof CreateUserRequest>;
export type Role = z.infer<typeof Role>;

export declare function newUser(request: CreateUserRequest, options?: { now?: Date; idOptions?: UlidOptions }): User;

export declare const ApiError: z.ZodObject<{
  error: z.ZodObject<{ code: z.ZodString; message: z.ZodString; details: z.ZodOptional<z.ZodUnknown> }>;
}>;
export type ApiError = z.infer<typeof ApiError>;

export declare function paginated<T extends z.ZodTypeAny>(
  item: T
): z.ZodObject<{ items: z.ZodArray<T>; nextCursor: z.ZodNullable<z.ZodString> }>;
export declare function apiErrorBody(error: { code?: string; message?: string; details?: unknown }): ApiError;
