import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isConnectionFailure } from '../database/connection-failure';
import { DomainError } from '../errors/domain-error';
import { PlatformErrors } from '../errors/platform.errors';

/** Seconds a client is told to wait (`Retry-After`) when a dependency is away (every 503). */
export const RETRY_AFTER_SECONDS = 5;

export interface FieldProblem {
  field: string;
  message: string;
}

/** RFC 9457 problem details, with the stable `code` and, for validation failures, the fields at fault. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldProblem[];
  checks?: unknown;
  /** Why a state conflict happened, where a code covers several (an offer ended: `timed_out`, `taken_elsewhere`…). */
  reason?: string;
}

export class ValidationFailed extends HttpException {
  constructor(readonly errors: FieldProblem[]) {
    super(`Invalid request: ${errors.map((e) => e.message).join('; ')}`, HttpStatus.BAD_REQUEST);
  }
}

/** Deepest nesting of arrays and objects a JSON body may have: every DTO is far shallower, and deeper bodies only exhaust the stack. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON text nests arrays and objects deeper than `limit`, read off its bytes before it is
 * parsed: one pass, no recursion (JSON.parse of a megabyte of `[` costs most of a second). Brackets
 * inside strings do not count. Works on UTF-8 bytes (every byte of a multi-byte character is >= 0x80,
 * so looking at ASCII bytes alone is safe) or on a decoded string (UTF-16 and UTF-32 bodies).
 */
export function nestsDeeperThan(json: Uint8Array | string, limit = MAX_JSON_DEPTH): boolean {
  const at = typeof json === 'string' ? (i: number) => json.charCodeAt(i) : (i: number) => json[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = at(i);
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: the next byte is escaped
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

/** What the body parsers throw (http-errors), with the request's Content-Encoding when known. */
interface ParserError {
  type?: string;
  limit?: number;
  message?: string;
  status?: number;
  expose?: boolean;
}

/**
 * The problem for a failure while reading or parsing the body, or undefined for anything else.
 * `contentEncoding` is the request's header: a 400 from the parsers without a type of its own is the
 * decompressor refusing bytes that are not what the header says.
 */
export function problemFor(error: unknown, contentEncoding?: string): ProblemDetails | undefined {
  const parser = error as ParserError | undefined;
  if (parser?.type === 'entity.parse.failed') {
    return build(400, 'malformed_json', `The request body is not valid JSON: ${parser.message ?? ''}`.trim());
  }
  if (parser?.type === 'entity.too.deep') {
    return build(400, 'body_too_deep', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  if (parser?.type === 'entity.too.large') {
    return build(413, 'payload_too_large', `The request body is larger than the limit of ${parser.limit} bytes`);
  }
  if (parser?.type === 'encoding.unsupported' || parser?.type === 'charset.unsupported') {
    return build(415, 'unsupported_encoding', parser.message ?? 'Unsupported body encoding');
  }
  const encoding = contentEncoding?.trim().toLowerCase();
  if (parser?.expose && parser.status === 400 && !parser.type && encoding && encoding !== 'identity') {
    return build(
      400,
      'malformed_encoding',
      `The request body is not valid "${encoding}" data, as its Content-Encoding says (${parser.message ?? 'unreadable'})`,
    );
  }
  if (parser?.type === 'request.aborted' || parser?.type === 'request.size.invalid') {
    return build(400, 'malformed_body', parser.message ?? 'The request body could not be read');
  }
  return undefined;
}

function build(status: number, code: string, detail: string): ProblemDetails {
  return { type: `https://readerdesk.org/problems/${code}`, title: TITLES[status] ?? 'Error', status, detail, code };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Maps every error to a problem-details body; unexpected errors are logged and never leak their message. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');
  private lastUnavailableLog = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const problem = this.toProblem(exception);
    problem.instance = request.originalUrl ?? request.url;
    if (problem.status >= 500 && problem.code === 'internal_error') {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (problem.code === PlatformErrors.databaseUnavailable.code && !(exception instanceof DomainError)) {
      // One line every 10 s while the database is away, not one per request.
      if (Date.now() - this.lastUnavailableLog > 10_000) {
        this.lastUnavailableLog = Date.now();
        this.logger.warn(`database unreachable: ${exception instanceof Error ? exception.message : String(exception)}`);
      }
    }
    if (response.headersSent) return;
    if (problem.status === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(problem.status).type('application/problem+json').json(problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof DomainError) {
      const problem = build(exception.status, exception.code, exception.message);
      // A service's own validation names its fields the way the validation pipe does.
      const errors = exception.details?.errors;
      if (Array.isArray(errors)) problem.errors = errors as FieldProblem[];
      const reason = exception.details?.reason;
      if (typeof reason === 'string') problem.reason = reason;
      return problem;
    }
    if (exception instanceof ValidationFailed) {
      const problem = build(400, 'validation_failed', exception.message);
      problem.errors = exception.errors;
      return problem;
    }
    const parserProblem = problemFor(exception);
    if (parserProblem) return parserProblem;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && 'details' in body && 'status' in body) {
        // A failed health check from terminus: say which dependency is down, and why.
        const details = (body as { details: Record<string, { status?: string; message?: string }> }).details;
        const down = Object.entries(details)
          .filter(([, check]) => check.status !== 'up')
          .map(([name, check]) => (check.message ? `${name} (${check.message})` : name));
        const problem = build(status, 'not_ready', `Not ready: ${down.join('; ') || 'a dependency is down'}`);
        return { ...problem, checks: details };
      }
      const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const message = Array.isArray(raw)
        ? raw.map(String).join('; ')
        : typeof raw === 'string'
          ? raw
          : exception.message;
      return build(status, `http_${status}`, message);
    }
    if (isConnectionFailure(exception)) {
      // Whether the statement reached the database before it went away is unknown: say what is safe to retry.
      return build(
        PlatformErrors.databaseUnavailable.status,
        PlatformErrors.databaseUnavailable.code,
        'The database is not reachable right now; try again shortly. Whether this request was stored is not known: ' +
          'a retry of an inbound message with the same externalId is safe (it returns the stored one, marked duplicate)',
      );
    }
    return build(500, 'internal_error', 'An unexpected error occurred; it has been logged');
  }
}
