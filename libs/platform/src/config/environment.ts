import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
  ValidationError,
} from 'class-validator';

export const DESK_ROLES = ['all', 'api', 'worker'] as const;
export type DeskRole = (typeof DESK_ROLES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable ReaderDesk reads. `.env.example` documents the same list;
 * a unit test keeps the two in step.
 */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** Which parts run in this process: `all` (api + worker, the embedded default), `api` or `worker`. */
  @IsIn(DESK_ROLES)
  DESK_ROLE: DeskRole = 'all';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** PostgreSQL connection string. Unset: the embedded SQLite file at SQLITE_PATH. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  SQLITE_PATH = './data/readerdesk.sqlite';

  /** Redis connection string. Set: BullMQ queues and the socket.io Redis adapter. Unset: in-process queue. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString()
  @Matches(/^[a-z0-9_-]+$/i, { message: 'QUEUE_PREFIX may hold letters, digits, "-" and "_" only' })
  QUEUE_PREFIX = 'readerdesk';

  /** Seed the demo library on first start. Default: on for SQLite, off for PostgreSQL. */
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  DESK_SEED_DEMO?: boolean;

  /** The first administrator, created on first start. Required in production. */
  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.DESK_ADMIN_EMAIL !== undefined)
  @IsEmail({}, { message: 'DESK_ADMIN_EMAIL must be an email address' })
  DESK_ADMIN_EMAIL?: string;

  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.DESK_ADMIN_PASSWORD !== undefined)
  @IsString()
  @MinLength(12, { message: 'DESK_ADMIN_PASSWORD must be at least 12 characters long' })
  DESK_ADMIN_PASSWORD?: string;

  /** Signs access tokens. Required in production; in development a key is kept next to the SQLite file. */
  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.DESK_SECRET_KEY !== undefined)
  @IsString()
  @MinLength(32, { message: 'DESK_SECRET_KEY must be at least 32 characters long' })
  DESK_SECRET_KEY?: string;

  /** Longest pause between attempts to reach the database while it is down. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_RETRY_MAX_DELAY_MS = 30_000;

  /** How long shutdown waits for running jobs and open requests. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_MS = 10_000;
}

export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvironmentError';
  }
}

const OWN_PREFIXES = ['DESK_'];

function describe(error: ValidationError, raw: Record<string, string | undefined>): string {
  const messages = Object.values(error.constraints ?? {});
  const given = raw[error.property];
  const shown = given === undefined ? 'it is not set' : `got ${JSON.stringify(redact(error.property, given))}`;
  return `${error.property}: ${messages.join('; ')} (${shown})`;
}

function redact(name: string, value: string): string {
  return /PASSWORD|SECRET|KEY/.test(name) ? '***' : value;
}

/** Validates the process environment; throws EnvironmentError naming every bad variable. */
export function loadEnvironment(raw: Record<string, string | undefined> = process.env): Environment {
  const known = new Set(environmentKeys());
  const defined = Object.keys(raw).filter((k) => raw[k] !== undefined);
  const picked: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of defined) {
    if (known.has(name)) picked[name] = raw[name] as string;
    else if (OWN_PREFIXES.some((p) => name.startsWith(p))) {
      problems.push(`${name}: unknown variable (see .env.example for the supported ones)`);
    }
  }
  const env = plainToInstance(Environment, picked);
  for (const error of validateSync(env, { skipMissingProperties: false })) problems.push(describe(error, raw));
  if (env.DESK_ROLE !== 'all' && !env.REDIS_URL) {
    problems.push(
      `DESK_ROLE: "${env.DESK_ROLE}" needs REDIS_URL, because without Redis jobs never leave the process that adds them (use "all")`,
    );
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return env;
}

/** The variables the schema declares, read from its validation metadata so the list cannot drift. */
export function environmentKeys(): readonly string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(Environment, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}
