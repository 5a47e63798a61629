import type { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the built console is: CONSOLE_DIR, else dist/console beside the compiled code (from dist/…)
 * or under the repository (from the sources, as the tests run them).
 */
export function consoleDirectory(): string | null {
  const root = resolve(__dirname, '..', '..', '..', '..');
  const candidates = [process.env.CONSOLE_DIR, join(root, 'console'), join(root, 'dist', 'console')];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'index.html'))) return dir;
  return null;
}

/** Paths the console never answers: the API, probes, metrics and the socket. */
const NOT_CONSOLE = /^\/(api|health|ready|metrics|socket\.io)(\/|$)/;

/**
 * The console's own policy: its script and styles from here only (Mantine sets inline styles),
 * sockets to here, no plugins, never framed. Email HTML is shown in sandboxed frames with a policy
 * of their own that blocks every load.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "frame-src 'self' about:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the agent console at / (a single-page app: every other GET outside the API gets its
 * index.html). Hashed assets are cached for a year, the page itself never. Without a build (the
 * sources without `npm run build`) nothing is mounted and / stays a 404.
 */
export function serveConsole(app: INestApplication): boolean {
  const dir = consoleDirectory();
  if (!dir) return false;
  const assets = express.static(join(dir, 'assets'), {
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: false,
  });
  app.use('/assets', assets);
  const index = join(dir, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_CONSOLE.test(req.path)) return next();
    if (!(req.headers.accept ?? '').includes('text/html') && req.path !== '/') return next();
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
