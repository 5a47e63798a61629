import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level } from 'pino';
import { Environment } from '../config/environment';
import { routeOf } from '../http/http-metrics';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Who called, as the auth guard left it on the request (staff sits above platform, hence the shape). */
interface Caller {
  principal?: { libraryId?: string; agentId?: string; apiKey?: unknown };
}

/**
 * What every line logged during a request carries: its id, method and path. No headers (Authorization,
 * Cookie and X-Api-Key are credentials, the rest ~700 bytes of noise a line) and no query string
 * (search words are readers' words).
 */
export function requestFields(req: IncomingMessage): { id: unknown; method?: string; url?: string } {
  const url = (req as Partial<Request>).originalUrl ?? req.url ?? '';
  return { id: (req as { id?: unknown }).id, method: req.method, url: url.split('?')[0] };
}

/** What the line of a finished request adds: the route pattern, the caller's library and account. */
export function completionFields(req: IncomingMessage): { route: string; library?: string; user?: string } {
  const principal = (req as Caller).principal;
  return {
    route: routeOf(req as Request),
    ...(principal?.libraryId ? { library: principal.libraryId } : {}),
    ...(principal?.agentId ? { user: principal.agentId, ...(principal.apiKey ? { apiKey: true } : {}) } : {}),
  };
}

/**
 * A 503 is the desk saying a dependency is away (the database still coming up at start, Redis gone):
 * an answered state, not a fault of this process, so its request line is info. Where it is an outage,
 * the exception filter and the Redis clients warn about the dependency themselves, once in a while.
 */
export function requestLogLevel(res: ServerResponse, err?: Error): Level {
  if (res.statusCode === 503) return 'info';
  if (err || res.statusCode >= 500) return 'error';
  return 'info';
}

/** JSON logs through pino; every request carries an id (the caller's X-Request-Id when it is sane), echoed back. */
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [Environment],
          useFactory: (env: Environment) => ({
            forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
            pinoHttp: {
              level: env.LOG_LEVEL,
              base: { service: 'readerdesk', role: env.DESK_ROLE },
              genReqId: (req: IncomingMessage, res: ServerResponse) => {
                const given = req.headers['x-request-id'];
                const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
                res.setHeader('X-Request-Id', id);
                return id;
              },
              wrapSerializers: false,
              serializers: {
                req: requestFields,
                res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
              },
              customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => requestLogLevel(res, err),
              customSuccessObject: (req: IncomingMessage, _res: ServerResponse, value: Record<string, unknown>) => ({
                ...value,
                ...completionFields(req),
              }),
              customErrorObject: (
                req: IncomingMessage,
                res: ServerResponse,
                error: Error,
                value: Record<string, unknown>,
              ) => {
                // pino-http makes up an Error (with a stack that points into pino-http) for any 5xx; only a real one is kept.
                const madeUp =
                  !(res as Response & { err?: unknown }).err &&
                  error.message === `failed with status code ${res.statusCode}`;
                const { err, ...rest } = value;
                return { ...rest, ...(madeUp ? {} : { err }), ...completionFields(req) };
              },
              autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
            },
          }),
        }),
      ],
    };
  }
}
