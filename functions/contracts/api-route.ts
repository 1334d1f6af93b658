import type { z } from 'zod';

/** One dashboard API route: what `API_ROUTES` (api-routes.ts) and each route table list. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway style: `{name}` marks a path parameter. */
  readonly path: string;
  /** `public` routes need no sign-in. */
  readonly auth: 'jwt' | 'public';
  readonly request?: z.ZodType;
  /**
   * Query string schema: it receives `Record<name, string | string[]>` (a repeated parameter
   * arrives as an array). Routes without one ignore the query string.
   */
  readonly query?: z.ZodType;
  readonly response: z.ZodType;
  /** The success status; 200 unless given (201 for creations). */
  readonly status?: 200 | 201;
}
