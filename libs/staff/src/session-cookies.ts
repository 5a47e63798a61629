import { DomainError } from '@readerdesk/platform';
import type { CookieOptions, Request, Response } from 'express';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from './auth.service';
import { StaffErrors } from './staff.errors';

/**
 * The console's session in httpOnly cookies, so page script never holds a token. The access token
 * goes everywhere, the refresh token only to /api/v1/auth. Cookies ride along on any request the
 * browser makes, so a request that changes something must also echo the readable `rd_csrf` cookie
 * in an `X-CSRF-Token` header (double submit), which another site cannot read. SameSite=Strict is
 * the second fence.
 */
export const SESSION_COOKIES = { access: 'rd_access', refresh: 'rd_refresh', csrf: 'rd_csrf' } as const;
export const CSRF_HEADER = 'x-csrf-token';
const AUTH_PATH = '/api/v1/auth';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The named cookie of a Cookie header, without a parser dependency: our names and values are plain ASCII. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      const value = part.slice(at + 1).trim();
      return value === '' ? undefined : decodeURIComponent(value);
    }
  }
  return undefined;
}

function base(req: Request): CookieOptions {
  // Behind TLS (directly or via a proxy that says so) the cookies never travel in clear text.
  const secure = req.secure || req.headers['x-forwarded-proto'] === 'https' || process.env.NODE_ENV === 'production';
  return { httpOnly: true, sameSite: 'strict', secure };
}

export function setSessionCookies(
  req: Request,
  res: Response,
  tokens: { accessToken: string; refreshToken: string },
): string {
  const csrf = randomBytes(24).toString('base64url');
  const options = base(req);
  res.cookie(SESSION_COOKIES.access, tokens.accessToken, {
    ...options,
    path: '/',
    maxAge: ACCESS_TOKEN_TTL_SECONDS * 1000,
  });
  res.cookie(SESSION_COOKIES.refresh, tokens.refreshToken, {
    ...options,
    path: AUTH_PATH,
    maxAge: REFRESH_TOKEN_TTL_SECONDS * 1000,
  });
  res.cookie(SESSION_COOKIES.csrf, csrf, {
    ...options,
    httpOnly: false,
    path: '/',
    maxAge: REFRESH_TOKEN_TTL_SECONDS * 1000,
  });
  return csrf;
}

export function clearSessionCookies(req: Request, res: Response): void {
  const options = base(req);
  res.clearCookie(SESSION_COOKIES.access, { ...options, path: '/' });
  res.clearCookie(SESSION_COOKIES.refresh, { ...options, path: AUTH_PATH });
  res.clearCookie(SESSION_COOKIES.csrf, { ...options, httpOnly: false, path: '/' });
}

/** Refuses a cookie-authenticated request that changes something without the CSRF header. */
export function assertCsrf(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIES.csrf);
  const header = req.headers[CSRF_HEADER];
  const sent = Array.isArray(header) ? header[0] : header;
  const same =
    !!cookie && !!sent && cookie.length === sent.length && timingSafeEqual(Buffer.from(cookie), Buffer.from(sent));
  if (!same) {
    throw new DomainError(
      StaffErrors.csrfFailed,
      'With a session cookie, send the rd_csrf cookie’s value in the X-CSRF-Token header',
    );
  }
}
