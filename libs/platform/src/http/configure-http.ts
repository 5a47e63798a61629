import { INestApplication, RequestMethod } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi';
import { Logger } from 'nestjs-pino';
import { ProblemDetailsFilter, nestsDeeperThan, problemFor } from './problem-details.filter';
import { configureCors } from './cors';
import { createValidationPipe } from './validation';
import { httpMetrics } from './http-metrics';
import { serveConsole } from './console';
import { MetricsService } from '../health/metrics.service';

export const API_PREFIX = 'api/v1';

export const JSON_BODY_LIMIT = '1mb';

const UPLOAD_PATH = /^\/api\/v1\/conversations\/[^/]+\/attachments\/?$/;

/** A JSON body in another Unicode encoding the parser accepts (UTF-16, UTF-32) as text. */
function decode(bytes: Buffer, encoding: string): string {
  try {
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    throw Object.assign(new Error(`unsupported charset "${encoding.toUpperCase()}"`), { type: 'charset.unsupported' });
  }
}

/**
 * Everything an HTTP application needs beyond its modules; shared by the entry points and the e2e
 * tests. The application must be created with `bodyParser: false`: the parsers are installed here
 * so that a malformed or oversized body gets the same problem-details answer as any other error.
 */
export function configureHttp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  // Before everything else, so that every response is counted, whoever answers it.
  app.use(httpMetrics(app.get(MetricsService)));
  // First, so that a preflight is answered before any parser or guard sees it.
  configureCors(app);
  const json = express.json({
    limit: JSON_BODY_LIMIT,
    // Refused before parsing and validation: class-transformer and class-validator recurse, and a few
    // KB of `[[[[…` would exhaust the stack there (the parser keeps this error's type).
    verify: (_req, _res, bytes, encoding) => {
      if (nestsDeeperThan(/^utf-?8$/i.test(encoding) ? bytes : decode(bytes, encoding)))
        throw Object.assign(new Error('body too deep'), { type: 'entity.too.deep' });
    },
  });
  const form = express.urlencoded({ extended: false, limit: JSON_BODY_LIMIT });
  // File uploads are streams of the file's own bytes (any Content-Type, JSON included): never parsed here.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST' && UPLOAD_PATH.test(req.path)) return next();
    json(req, res, (error?: unknown) => (error ? next(error) : form(req, res, next)));
  });
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const problem = problemFor(error, req.headers['content-encoding']);
    if (!problem) return next(error);
    problem.instance = req.originalUrl;
    res.status(problem.status).type('application/problem+json').json(problem);
  });
  // The agent console at / (when built), before the API's routes: it only answers outside /api.
  serveConsole(app);
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
