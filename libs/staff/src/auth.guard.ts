import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, libraryScope, LibraryScope, PUBLIC_ROUTE } from '@readerdesk/platform';
import type { Request } from 'express';
import type { AgentRole } from './agent.entity';
import { API_KEY_ROUTE_SCOPE, apiKeyMayCall, ApiKeyRouteScope, STAFF_ONLY } from './api-key-scopes';
import { apiKeyCaller, ApiKeyService, presentedCredential } from './api-key.service';
import { AuthService, StaffPrincipal } from './auth.service';
import { hasRole, REQUIRED_ROLE } from './roles';
import { assertCsrf } from './session-cookies';
import { StaffErrors } from './staff.errors';

type AuthenticatedRequest = Request & { principal?: StaffPrincipal };

/**
 * Every route needs a valid staff access token (bearer header or session cookie) or API key unless
 * marked @Public(); @RequireRole raises the bar for staff, scopes decide for keys (apiKeyMayCall).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeyService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const credential = presentedCredential(request);
    if (!credential)
      throw new DomainError(
        StaffErrors.unauthenticated,
        'Sign in first: send the access token as "Authorization: Bearer …" (or sign in with session "cookie"), ' +
          'or an API key as "X-Api-Key: rdk_…"',
      );
    const required = this.reflector.getAllAndOverride<AgentRole | undefined>(REQUIRED_ROLE, targets);
    if (credential.kind === 'api_key') {
      const key = (await this.apiKeys.authenticateRequest(request))!;
      const rule = this.reflector.getAllAndOverride<ApiKeyRouteScope | undefined>(API_KEY_ROUTE_SCOPE, targets);
      const named = rule ? single(request.params?.[rule.param]) : undefined;
      const needs = {
        method: request.method,
        role: required,
        scope: rule && named ? `${rule.kind}:${named.toLowerCase()}` : undefined,
        staffOnly: this.reflector.getAllAndOverride<boolean>(STAFF_ONLY, targets) ?? false,
      };
      if (!apiKeyMayCall(key.scopes, needs))
        throw new DomainError(
          StaffErrors.apiKeyScope,
          `The API key "${key.name}" (scopes: ${key.scopes.join(', ')}) may not ${request.method} ${request.path}`,
        );
      request.principal = apiKeyCaller(key);
      return true;
    }
    if (credential.fromCookie) assertCsrf(request);
    request.principal = await this.auth.verify(credential.value);
    if (required && !hasRole(request.principal.role, required)) {
      throw new DomainError(StaffErrors.forbidden, `This needs the ${required} role`);
    }
    return true;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The signed-in member of staff, or the API key standing in for one (`apiKey` set). */
export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): StaffPrincipal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new DomainError(StaffErrors.unauthenticated, 'Sign in first');
  return principal;
});

export function scopeOf(principal: StaffPrincipal): LibraryScope {
  return libraryScope(principal.libraryId);
}
