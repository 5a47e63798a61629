import { INestApplication, Logger } from '@nestjs/common';
import type { CorsOptionsCallback } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { Request } from 'express';

/**
 * The port that says which web origins may read the API's answers (CORS). The platform applies it
 * to every request that carries an Origin header; the application decides, per library.
 */
export abstract class CorsOrigins {
  /** Whether a page of `origin` may send this request and read its answer. */
  abstract allows(origin: string, request: Request): Promise<boolean>;
}

/** The headers a page may send cross-origin; credentials (cookies) never travel cross-origin. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Api-Key'];
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Browsers keep a successful preflight this long (seconds). */
export const CORS_MAX_AGE = 600;

/**
 * CORS through Nest's own (expressjs/cors) middleware, its options chosen per request: an origin
 * the application allows gets the CORS headers (a preflight its 204), any other gets none. Without
 * a CorsOrigins provider (an application with no public API) no origin is allowed.
 */
export function configureCors(app: INestApplication): void {
  let policy: CorsOrigins;
  try {
    policy = app.get(CorsOrigins, { strict: false });
  } catch {
    return;
  }
  const logger = new Logger('Cors');
  app.enableCors((request: Request, done: CorsOptionsCallback) => {
    const origin = request.headers.origin;
    if (!origin) return done(null, { origin: false });
    policy
      .allows(origin, request)
      .catch((error: unknown) => {
        logger.warn(`CORS check of ${origin} failed: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      })
      .then((allowed) =>
        done(null, {
          origin: allowed ? origin : false,
          methods: CORS_METHODS,
          allowedHeaders: CORS_ALLOWED_HEADERS,
          credentials: false,
          maxAge: CORS_MAX_AGE,
        }),
      )
      .catch(() => undefined);
  });
}
