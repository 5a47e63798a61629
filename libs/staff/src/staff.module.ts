import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { Environment, resolveSecretKey } from '@readerdesk/platform';
import { AgentRepository } from './agent.repository';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { DepartmentRepository } from './department.repository';
import { PasswordHasher } from './password-hasher';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [Environment],
      useFactory: (env: Environment) => ({ secret: resolveSecretKey(env), signOptions: { issuer: 'readerdesk' } }),
    }),
  ],
  controllers: [AuthController],
  providers: [AgentRepository, DepartmentRepository, PasswordHasher, AuthService],
  exports: [AgentRepository, DepartmentRepository, PasswordHasher, AuthService],
})
export class StaffModule {}
