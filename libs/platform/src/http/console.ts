import type { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { existsSync, readdirSync } from 'node:fs';
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
  app.use('/assets', precompressed(join(dir, 'assets')));
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

/** Best first; `q=0` refusals are not read (no browser sends them for these two). */
const ENCODINGS = [
  { name: 'br', suffix: 'br', accepted: /\bbr\b/ },
  { name: 'gzip', suffix: 'gz', accepted: /\bgzip\b/ },
] as const;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/**
 * The build's compressed copies (apps/console/vite.config.mjs writes .br and .gz beside each script
 * and style sheet): Brotli or gzip as the browser accepts, else the plain file (express.static next).
 * Which copies exist is read once at start-up; a request only compares strings.
 */
function precompressed(dir: string) {
  const files = new Set(readdirSync(dir));
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.slice(1);
    const type = TYPES[/\.(js|css)$/.exec(name)?.[1] ?? ''];
    if (!type || name.includes('/')) return next();
    const accepted = String(req.headers['accept-encoding'] ?? '');
    const encoding = ENCODINGS.find((e) => e.accepted.test(accepted) && files.has(`${name}.${e.suffix}`));
    if (!encoding) return next();
    res.setHeader('Content-Encoding', encoding.name);
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.sendFile(join(dir, `${name}.${encoding.suffix}`));
  };
}
