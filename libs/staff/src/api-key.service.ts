import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  Clock,
  DatabaseService,
  DomainError,
  EventBus,
  ExpiringCache,
  libraryScope,
  LibraryScope,
  newRowId,
} from '@readerdesk/platform';
import type { Request } from 'express';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiKey } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { apiKeyReads, parseApiKeyScopes } from './api-key-scopes';
import type { StaffPrincipal } from './auth.service';
import { readCookie, SESSION_COOKIES } from './session-cookies';
import { StaffErrors } from './staff.errors';
import { ApiKeyRevoked } from './staff.events';

export const API_KEY_HEADER = 'x-api-key';
/** A use is recorded at most this often per key, so a busy form does not write on every request. */
export const API_KEY_USE_RESOLUTION_MS = 60_000;
/** How long a process trusts a key it read without hearing of its revocation (the event may be lost while Redis is away). */
const API_KEY_CACHE_MS = 5_000;

/** `rdk_<12 hex: the prefix, which finds the row>_<32 random bytes, base64url>`. */
const KEY_SHAPE = /^rdk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The caller an API key proves. */
export interface ApiKeyPrincipal {
  id: string;
  libraryId: string;
  name: string;
  scopes: readonly string[];
}

/** What a request presents: an API key, or a staff access token from the bearer header or the session cookie. */
export type Credential = { kind: 'api_key'; value: string } | { kind: 'staff'; value: string; fromCookie: boolean };

function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/**
 * The request's credential. `Authorization: Bearer rdk_…` and `X-Api-Key` are API keys; any other
 * bearer token, else the session cookie, is a staff token. Two explicit credentials are refused
 * rather than one of them silently chosen.
 */
export function presentedCredential(request: Pick<Request, 'headers'>): Credential | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const header = single(request.headers[API_KEY_HEADER])?.trim();
  if (header && request.headers.authorization)
    throw new DomainError(StaffErrors.unauthenticated, 'Send either X-Api-Key or an Authorization header, not both');
  if (header) return { kind: 'api_key', value: header };
  if (bearer)
    return bearer.startsWith('rdk_')
      ? { kind: 'api_key', value: bearer }
      : { kind: 'staff', value: bearer, fromCookie: false };
  const cookie = readCookie(request.headers.cookie, SESSION_COOKIES.access);
  return cookie ? { kind: 'staff', value: cookie, fromCookie: true } : undefined;
}

/** The caller as routes see it (CurrentStaff): the key's library, with an administrator's reach for an `admin` key. */
export function apiKeyCaller(key: ApiKeyPrincipal): StaffPrincipal {
  return {
    agentId: key.id,
    libraryId: key.libraryId,
    role: key.scopes.includes('admin') ? 'administrator' : 'agent',
    apiKey: key,
  };
}

/** Whether the caller may read conversations at all (department checks still apply to staff): not an ingest-only key. */
export function readsConversations(principal: StaffPrincipal): boolean {
  return !principal.apiKey || apiKeyReads(principal.apiKey.scopes);
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/**
 * API keys of a library: created with their secret shown once, listed without it, revoked, and
 * checked on every request that presents one. The key has 256 random bits, so a fast hash
 * (SHA-256) is as safe as a slow one: nobody can guess such a key whatever each guess costs, while
 * argon2 (which slows guessing of low-entropy passwords) would spend tens of milliseconds of CPU
 * on every API call.
 */
@Injectable()
export class ApiKeyService implements OnModuleInit {
  /** One check per request, shared by the CORS policy and the guard. */
  private readonly checked = new WeakMap<object, Promise<ApiKeyPrincipal | null>>();

  /**
   * Keys by prefix, read on every call an integration makes: kept for a few seconds, dropped in every
   * process when a key is revoked (ApiKeyRevoked). Unknown prefixes are never kept.
   */
  private readonly known: ExpiringCache<ApiKey | null>;

  constructor(
    private readonly db: DatabaseService,
    private readonly keys: ApiKeyRepository,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {
    this.known = new ExpiringCache(clock, API_KEY_CACHE_MS);
  }

  onModuleInit(): void {
    this.events.subscribe(ApiKeyRevoked, ({ prefix }) => this.known.drop(prefix));
  }

  /** A new key; `secret` is the only time the key is ever available. Inbox ids of the scopes are the caller's to check. */
  async create(
    scope: LibraryScope,
    fields: { name: string; scopes: readonly string[]; createdById: string | null },
  ): Promise<{ apiKey: ApiKey; secret: string }> {
    const { scopes } = parseApiKeyScopes(fields.scopes);
    const prefix = randomBytes(6).toString('hex');
    const secret = `rdk_${prefix}_${randomBytes(32).toString('base64url')}`;
    const [apiKey] = await this.db.transaction(() =>
      this.keys.insert(scope, {
        id: newRowId(),
        libraryId: scope.libraryId,
        name: fields.name.trim(),
        scopes,
        prefix,
        keyHash: hashKey(secret).toString('hex'),
        createdById: fields.createdById,
        revokedAt: null,
        lastUsedAt: null,
      } as ApiKey),
    );
    return { apiKey, secret };
  }

  /** The library's keys, newest first, revoked ones included. */
  list(scope: LibraryScope): Promise<ApiKey[]> {
    return this.keys.find(scope, {}, { createdAt: 'DESC', id: 'DESC' });
  }

  /** Revokes a key at once (a revoked key answers 401 from the next request on); revoking twice keeps the first time. */
  async revoke(scope: LibraryScope, id: string): Promise<ApiKey> {
    const { prefix } = await this.keys.getById(scope, id);
    await this.db.transaction(async () => {
      await this.keys.revoke(scope, id, this.clock.now());
      this.events.publish(ApiKeyRevoked, { libraryId: scope.libraryId, prefix });
    });
    // This process at once (the event arrives after the commit); the others when the event reaches them.
    this.known.drop(prefix);
    return this.keys.getById(scope, id);
  }

  /** The key a request presents (null when it presents none), checked once per request; rejects with 401 api_key_invalid. */
  authenticateRequest(request: Request): Promise<ApiKeyPrincipal | null> {
    let checked = this.checked.get(request);
    if (!checked) {
      const credential = presentedCredential(request);
      checked = credential?.kind === 'api_key' ? this.authenticate(credential.value) : Promise.resolve(null);
      this.checked.set(request, checked);
    }
    return checked;
  }

  /** Checks a key and records its use (at most once a minute); throws 401 api_key_invalid. */
  async authenticate(presented: string): Promise<ApiKeyPrincipal> {
    const prefix = KEY_SHAPE.exec(presented)?.[1];
    const stored = prefix ? await this.lookUp(prefix) : null;
    const matches = !!stored && timingSafeEqual(hashKey(presented), Buffer.from(stored.keyHash, 'hex'));
    if (!stored || !matches || stored.revokedAt)
      throw new DomainError(StaffErrors.apiKeyInvalid, 'The API key is unknown or has been revoked');
    const now = this.clock.now();
    const since = new Date(now.getTime() - API_KEY_USE_RESOLUTION_MS);
    if (!stored.lastUsedAt || stored.lastUsedAt <= since) {
      const scope = libraryScope(stored.libraryId);
      await this.db.transaction(() => this.keys.touch(scope, stored.id, now, since));
      stored.lastUsedAt = now;
    }
    return { id: stored.id, libraryId: stored.libraryId, name: stored.name, scopes: stored.scopes };
  }

  private async lookUp(prefix: string): Promise<ApiKey | null> {
    const stored = await this.known.get(prefix, () => this.keys.findByPrefix(prefix));
    if (!stored) this.known.drop(prefix);
    return stored;
  }
}
