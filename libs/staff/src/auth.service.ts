import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock, DomainError, libraryScope } from '@readerdesk/platform';
import { AgentRepository } from './agent.repository';
import { LoginResponseDto } from './auth.dto';
import { PasswordHasher } from './password-hasher';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** Verifies staff credentials and issues access tokens. One error for every failure, so an attacker learns nothing about which accounts exist. */
@Injectable()
export class AuthService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly agents: AgentRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly clock: Clock,
  ) {}

  async login(email: string, password: string): Promise<LoginResponseDto> {
    const agent = await this.agents.findForSignIn(email);
    let ok = false;
    if (agent?.passwordHash) {
      ok = await this.hasher.verify(agent.passwordHash, password);
    } else {
      // Verify against a throwaway hash for unknown accounts, so that the answer takes as long either way.
      this.dummyHash ??= this.hasher.hash('readerdesk-timing-equaliser');
      await this.hasher.verify(await this.dummyHash, password);
    }
    if (!agent || !ok || !agent.active) {
      throw new DomainError('invalid_credentials', 'The email or password is not correct', 401);
    }
    const accessToken = await this.jwt.signAsync(
      { sub: agent.id, lib: agent.libraryId, role: agent.role },
      { expiresIn: ACCESS_TOKEN_TTL_SECONDS },
    );
    await this.agents.update(libraryScope(agent.libraryId), agent.id, { lastLoginAt: this.clock.now() });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      agent: {
        id: agent.id,
        libraryId: agent.libraryId,
        email: agent.email,
        displayName: agent.displayName,
        role: agent.role,
      },
    };
  }
}
