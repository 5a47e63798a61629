import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock, DatabaseService, DomainError, libraryScope, newRowId } from '@readerdesk/platform';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Agent, AgentRole } from './agent.entity';
import { AgentRepository } from './agent.repository';
import type { ApiKeyPrincipal } from './api-key.service';
import { LoginResponseDto } from './auth.dto';
import { PasswordHasher } from './password-hasher';
import { RefreshToken } from './refresh-token.entity';
import { RefreshTokenRepository } from './refresh-token.repository';
import { StaffErrors } from './staff.errors';

/** What a sign-in or refresh hands out: both tokens, always (the controller decides how they travel). */
export type IssuedSession = LoginResponseDto & { accessToken: string; refreshToken: string; tokenType: 'Bearer' };

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** Consecutive failures that lock an account, and for how long. */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_SECONDS = 15 * 60;

/**
 * Who is calling, as an access token proves it, or as an API key does (`apiKey` set): then
 * `agentId` is the key's id, which names no member of staff (the guard keeps keys off routes that
 * record an author), and `role` is administrator for an `admin` key, agent otherwise.
 */
export interface StaffPrincipal {
  agentId: string;
  libraryId: string;
  role: AgentRole;
  apiKey?: ApiKeyPrincipal;
}

const INVALID = (): DomainError =>
  new DomainError(StaffErrors.invalidCredentials, 'The email or password is not correct');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Staff sign-in: argon2id passwords, lockout after repeated failures, short access tokens (JWT) and
 * rotating refresh tokens. Every failure answers the same, so nobody learns which accounts exist
 * or which are locked.
 */
@Injectable()
export class AuthService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly db: DatabaseService,
    private readonly agents: AgentRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly clock: Clock,
  ) {}

  async login(email: string, password: string): Promise<IssuedSession> {
    const agent = await this.agents.findForSignIn(email);
    let ok = false;
    if (agent?.passwordHash) {
      ok = await this.hasher.verify(agent.passwordHash, password);
    } else {
      // Verify against a throwaway hash for unknown accounts, so that the answer takes as long either way.
      this.dummyHash ??= this.hasher.hash('readerdesk-timing-equaliser');
      await this.hasher.verify(await this.dummyHash, password);
    }
    if (!agent || !agent.active) throw INVALID();
    const now = this.clock.now();
    const scope = libraryScope(agent.libraryId);
    if (agent.lockedUntil && agent.lockedUntil > now) throw INVALID();
    if (!ok) {
      const failures = agent.failedLogins + 1;
      const lock = failures >= LOCKOUT_THRESHOLD;
      await this.agents.update(scope, agent.id, {
        failedLogins: lock ? 0 : failures,
        lockedUntil: lock ? new Date(now.getTime() + LOCKOUT_SECONDS * 1000) : agent.lockedUntil,
      });
      throw INVALID();
    }
    await this.agents.update(scope, agent.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now });
    return this.issue(agent, randomUUID());
  }

  /** Trades a refresh token for new tokens. A token used twice revokes its whole family. */
  async refresh(token: string): Promise<IssuedSession> {
    const outcome = await this.db.transaction(async (): Promise<IssuedSession | { replayed: RefreshToken }> => {
      const stored = await this.refreshTokens.findByHash(hashToken(token));
      const now = this.clock.now();
      if (!stored || stored.revokedAt || stored.expiresAt <= now) throw this.expired();
      if (stored.usedAt) return { replayed: stored };
      const scope = libraryScope(stored.libraryId);
      await this.refreshTokens.update(scope, stored.id, { usedAt: now });
      const agent = await this.agents.findById(scope, stored.agentId);
      if (!agent || !agent.active) throw this.expired();
      return this.issue(agent, stored.familyId);
    });
    if ('replayed' in outcome) {
      // Revoked outside the transaction above, which the error would otherwise roll back.
      await this.refreshTokens.revokeFamily(
        libraryScope(outcome.replayed.libraryId),
        outcome.replayed.familyId,
        this.clock.now(),
      );
      throw this.expired();
    }
    return outcome;
  }

  /** Signs out: the refresh token's family can no longer be used. */
  async logout(token: string): Promise<void> {
    const stored = await this.refreshTokens.findByHash(hashToken(token));
    if (stored)
      await this.refreshTokens.revokeFamily(libraryScope(stored.libraryId), stored.familyId, this.clock.now());
  }

  /**
   * Checks an access token; throws 401 when it is missing, forged or expired (unauthenticated), or
   * when the account was deactivated or its role, departments or status changed since the token
   * was issued (token_revoked). The second check reads the account by primary key on every call.
   */
  async verify(accessToken: string): Promise<StaffPrincipal> {
    let claims: { sub: string; lib: string; ver?: number };
    try {
      claims = await this.jwt.verifyAsync(accessToken);
      if (!UUID.test(String(claims.sub)) || !UUID.test(String(claims.lib))) throw new Error('not a staff token');
    } catch {
      throw new DomainError(
        StaffErrors.unauthenticated,
        'Sign in first: the access token is missing, invalid or expired',
      );
    }
    const agent = await this.agents.findById(libraryScope(claims.lib), claims.sub);
    if (!agent) throw new DomainError(StaffErrors.unauthenticated, 'Sign in first: the account does not exist');
    if (!agent.active) throw new DomainError(StaffErrors.tokenRevoked, 'This account has been deactivated');
    // Tokens signed before versions existed carry none, which reads as the first version.
    if ((claims.ver ?? 0) !== agent.tokenVersion)
      throw new DomainError(
        StaffErrors.tokenRevoked,
        'The role, departments or status of this account changed after the token was issued: refresh it or sign in again',
      );
    return { agentId: agent.id, libraryId: agent.libraryId, role: agent.role };
  }

  private expired(): DomainError {
    return new DomainError(StaffErrors.refreshTokenInvalid, 'The session has ended; sign in again');
  }

  private async issue(agent: Agent, familyId: string): Promise<IssuedSession> {
    const scope = libraryScope(agent.libraryId);
    const accessToken = await this.jwt.signAsync(
      { sub: agent.id, lib: agent.libraryId, role: agent.role, ver: agent.tokenVersion },
      { expiresIn: ACCESS_TOKEN_TTL_SECONDS },
    );
    const refreshToken = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert(scope, {
      id: newRowId(),
      libraryId: agent.libraryId,
      agentId: agent.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(this.clock.now().getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000),
      usedAt: null,
      revokedAt: null,
    } as RefreshToken);
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      agent: {
        id: agent.id,
        libraryId: agent.libraryId,
        email: agent.email,
        displayName: agent.displayName,
        role: agent.role,
        presence: agent.presence,
      },
    };
  }
}
