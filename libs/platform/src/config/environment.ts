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
const toOptionalInt = ({ value }: { value: unknown }): unknown => toInt({ value: emptyToUndefined({ value }) });

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

  /** Where attachment bytes live: `local` (a directory, the embedded default) or `s3` (S3-compatible storage). */
  @IsIn(['local', 's3'])
  DESK_STORAGE: 'local' | 's3' = 'local';

  @IsString()
  @MinLength(1)
  DESK_STORAGE_DIR = './data/attachments';

  /** Largest attachment accepted (bytes): uploads over it answer 413; inbound mail keeps the message and notes the drop. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  DESK_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.DESK_STORAGE === 's3')
  @IsString({ message: 'S3_BUCKET is required when DESK_STORAGE is s3' })
  S3_BUCKET?: string;

  /** An S3-compatible endpoint (MinIO, Ceph, Garage…); unset: AWS for S3_REGION. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'S3_ENDPOINT must be an http(s):// URL' })
  S3_ENDPOINT?: string;

  @IsString()
  S3_REGION = 'us-east-1';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  /** Path-style URLs (bucket in the path), which most self-hosted S3-compatible servers need. */
  @Transform(toBoolean)
  @IsBoolean()
  S3_FORCE_PATH_STYLE = true;

  /** Encrypts channel secrets (mailbox, SMTP, API passwords) at rest. Unset: derived from the token-signing key. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'DESK_ENCRYPTION_KEY must be at least 32 characters long' })
  DESK_ENCRYPTION_KEY?: string;

  /** First pause before an outbound message is tried again after a temporary failure; it doubles each time. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  DESK_DELIVERY_RETRY_BASE_MS = 30_000;

  /** Tries an outbound message gets before it is marked failed (a permanent refusal fails it at once). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  DESK_DELIVERY_ATTEMPTS = 6;

  /**
   * First pause before a mailbox (IMAP) that could not be read is tried again; it doubles each time, up to five
   * minutes. A mailbox counts as failing after five failures in a row or two minutes of failures.
   */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  DESK_MAILBOX_RETRY_BASE_MS = 1_000;

  /** The former name of DESK_DELIVERY_RETRY_BASE_MS, still read when that is unset. */
  @Transform(toOptionalInt)
  @IsOptional()
  @IsInt()
  @Min(10)
  DESK_EMAIL_RETRY_BASE_MS?: number;

  /** The former name of DESK_DELIVERY_ATTEMPTS, still read when that is unset. */
  @Transform(toOptionalInt)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  DESK_EMAIL_SEND_ATTEMPTS?: number;

  /**
   * Port of the inbound SMTP listener, which a library points its MX or relay at (the worker runs it).
   * Unset: no listener. 0: any free port (tests read the bound one).
   */
  @Transform(toOptionalInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  DESK_SMTP_PORT?: number;

  @IsString()
  @MinLength(1)
  DESK_SMTP_HOST = '0.0.0.0';

  /** The name in the SMTP greeting and EHLO reply. Unset: this machine's host name. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i, {
    message: 'DESK_SMTP_HOSTNAME must be a host name such as desk.library.org',
  })
  DESK_SMTP_HOSTNAME?: string;

  /**
   * Largest message the SMTP listener accepts (advertised with SIZE). At most 48 MiB: the email
   * parser refuses anything over 50 MiB, and the desk adds a Return-Path line before parsing.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(48 * 1024 * 1024)
  DESK_SMTP_MAX_BYTES = 35 * 1024 * 1024;

  /** PEM certificate (chain) file of the SMTP listener; with DESK_SMTP_TLS_KEY, STARTTLS is offered. */
  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.DESK_SMTP_TLS_CERT !== undefined || env.DESK_SMTP_TLS_KEY !== undefined)
  @IsString({ message: 'DESK_SMTP_TLS_CERT and DESK_SMTP_TLS_KEY go together: set both (STARTTLS) or neither' })
  DESK_SMTP_TLS_CERT?: string;

  @Transform(emptyToUndefined)
  @ValidateIf((env: Environment) => env.DESK_SMTP_TLS_CERT !== undefined || env.DESK_SMTP_TLS_KEY !== undefined)
  @IsString({ message: 'DESK_SMTP_TLS_CERT and DESK_SMTP_TLS_KEY go together: set both (STARTTLS) or neither' })
  DESK_SMTP_TLS_KEY?: string;

  /**
   * How long an agent shows as typing in a conversation (collision) after their console last said so;
   * consoles repeat it every few seconds while the agent types, so one that vanishes stops showing.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DESK_TYPING_EXPIRY_MS = 6_000;

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
  // Delivery settings were email's before every channel's outbox shared them; the old names still count.
  if (picked.DESK_DELIVERY_RETRY_BASE_MS === undefined && env.DESK_EMAIL_RETRY_BASE_MS !== undefined)
    env.DESK_DELIVERY_RETRY_BASE_MS = env.DESK_EMAIL_RETRY_BASE_MS;
  if (picked.DESK_DELIVERY_ATTEMPTS === undefined && env.DESK_EMAIL_SEND_ATTEMPTS !== undefined)
    env.DESK_DELIVERY_ATTEMPTS = env.DESK_EMAIL_SEND_ATTEMPTS;
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
