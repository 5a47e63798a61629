import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { Environment, resolveSecretKey } from '@readerdesk/platform';
import { AgentRepository } from './agent.repository';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { DepartmentAccessService } from './department-access.service';
import { DepartmentRepository } from './department.repository';
import { PasswordHasher } from './password-hasher';
import { PresenceChangeRepository, PresenceService } from './presence.service';
import { RefreshTokenRepository } from './refresh-token.repository';
import { StaffAdminService } from './staff-admin.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [Environment],
      useFactory: (env: Environment) => ({
        secret: resolveSecretKey(env),
        signOptions: { issuer: 'readerdesk' },
        verifyOptions: { issuer: 'readerdesk' },
      }),
    }),
    // Only routes marked @Throttle are limited (sign-in); the limit is per api process.
    ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: 1_000_000 }]),
  ],
  controllers: [AuthController],
  providers: [
    AgentRepository,
    DepartmentRepository,
    RefreshTokenRepository,
    PasswordHasher,
    AuthService,
    StaffAdminService,
    DepartmentAccessService,
    PresenceChangeRepository,
    PresenceService,
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [
    AgentRepository,
    DepartmentRepository,
    PasswordHasher,
    AuthService,
    StaffAdminService,
    DepartmentAccessService,
    PresenceService,
  ],
})
export class StaffModule {}
