import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, libraryScope, LibraryScope, PUBLIC_ROUTE } from '@readerdesk/platform';
import type { Request } from 'express';
import type { AgentRole } from './agent.entity';
import { AuthService, StaffPrincipal } from './auth.service';
import { hasRole, REQUIRED_ROLE } from './roles';
import { assertCsrf, readCookie, SESSION_COOKIES } from './session-cookies';
import { StaffErrors } from './staff.errors';

type AuthenticatedRequest = Request & { principal?: StaffPrincipal };

/** Every route needs a valid staff access token (bearer header or session cookie) unless marked @Public(); @RequireRole raises the bar. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const cookie = bearer ? undefined : readCookie(request.headers.cookie, SESSION_COOKIES.access);
    const token = bearer ?? cookie;
    if (!token)
      throw new DomainError(
        StaffErrors.unauthenticated,
        'Sign in first: send the access token as "Authorization: Bearer …" (or sign in with session "cookie")',
      );
    if (cookie) assertCsrf(request);
    request.principal = await this.auth.verify(token);
    const required = this.reflector.getAllAndOverride<AgentRole | undefined>(REQUIRED_ROLE, targets);
    if (required && !hasRole(request.principal.role, required)) {
      throw new DomainError(StaffErrors.forbidden, `This needs the ${required} role`);
    }
    return true;
  }
}

/** The signed-in member of staff. */
export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): StaffPrincipal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new DomainError(StaffErrors.unauthenticated, 'Sign in first');
  return principal;
});

export function scopeOf(principal: StaffPrincipal): LibraryScope {
  return libraryScope(principal.libraryId);
}
