import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { Environment, resolveSecretKey } from '@readerdesk/platform';
import { TenancyModule } from '@readerdesk/tenancy';
import { AgentRepository } from './agent.repository';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { DepartmentAccessService } from './department-access.service';
import { DepartmentRepository } from './department.repository';
import { PasswordHasher } from './password-hasher';
import { PresenceChangeRepository } from './presence-change.repository';
import { PresenceService } from './presence.service';
import { RefreshTokenRepository } from './refresh-token.repository';
import { StaffAdminService } from './staff-admin.service';
import { StaffDirectory } from './staff-directory';

@Module({
  imports: [
    // Departments belong to branches: the branch a department names must be one of its library's.
    TenancyModule,
    JwtModule.registerAsync({
      inject: [Environment],
      useFactory: (env: Environment) => {
        // A key object made once: given the secret as a string, jsonwebtoken first tries (and fails)
        // to read it as a public key on every sign and verify, 0.4–0.6 ms of CPU each against 15 µs.
        const key = createSecretKey(Buffer.from(resolveSecretKey(env)));
        return {
          secretOrKeyProvider: () => key,
          signOptions: { issuer: 'readerdesk', algorithm: 'HS256' as const },
          verifyOptions: { issuer: 'readerdesk', algorithms: ['HS256' as const] },
        };
      },
    }),
    // Only routes marked @Throttle are limited (sign-in); the limit is per api process.
    ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: 1_000_000 }]),
  ],
  controllers: [AuthController],
  providers: [
    AgentRepository,
    DepartmentRepository,
    RefreshTokenRepository,
    ApiKeyRepository,
    ApiKeyService,
    PasswordHasher,
    AuthService,
    StaffAdminService,
    StaffDirectory,
    DepartmentAccessService,
    PresenceChangeRepository,
    PresenceService,
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  // Services only: the repositories stay inside the library (ARCHITECTURE.md, Layers).
  exports: [
    PasswordHasher,
    AuthService,
    ApiKeyService,
    StaffAdminService,
    StaffDirectory,
    DepartmentAccessService,
    PresenceService,
  ],
})
export class StaffModule {}
