import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { DomainError, Public } from '@readerdesk/platform';
import type { Request, Response } from 'express';
import { AgentRepository } from './agent.repository';
import { StaffOnly } from './api-key-scopes';
import { CurrentStaff, scopeOf } from './auth.guard';
import { LoginDto, LoginResponseDto, RefreshDto, SignedInAgentDto } from './auth.dto';
import { AuthService, type IssuedSession, type StaffPrincipal } from './auth.service';
import { assertCsrf, clearSessionCookies, readCookie, SESSION_COOKIES, setSessionCookies } from './session-cookies';
import { StaffErrors } from './staff.errors';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly agents: AgentRepository,
  ) {}

  @Post('login')
  @Public()
  @Throttle({ default: { limit: 20, ttl: 60_000 } })
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password, or the account is locked after repeated failures' })
  @ApiTooManyRequestsResponse({ description: 'More than 20 attempts a minute from one address' })
  async login(
    @Body() body: LoginDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponseDto> {
    const session = await this.auth.login(body.email, body.password);
    return body.session === 'cookie' ? this.inCookies(req, res, session) : session;
  }

  /** Tokens into httpOnly cookies; the body keeps only what page script may know. */
  private inCookies(req: Request, res: Response, session: IssuedSession): LoginResponseDto {
    const csrfToken = setSessionCookies(req, res, session);
    return { tokenType: 'Cookie', expiresIn: session.expiresIn, agent: session.agent, csrfToken };
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade a refresh token for new tokens (the old one stops working)' })
  @ApiOkResponse({ type: LoginResponseDto })
  async refresh(
    @Body() body: RefreshDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponseDto> {
    if (body.refreshToken) return this.auth.refresh(body.refreshToken);
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIES.refresh);
    if (!cookie)
      throw new DomainError(StaffErrors.refreshTokenInvalid, 'Send refreshToken, or sign in with session "cookie"');
    assertCsrf(req);
    return this.inCookies(req, res, await this.auth.refresh(cookie));
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: the refresh token and its successors stop working' })
  @ApiNoContentResponse()
  async logout(
    @Body() body: RefreshDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIES.refresh);
    if (!body.refreshToken && cookie) assertCsrf(req);
    const token = body.refreshToken ?? cookie;
    if (token) await this.auth.logout(token);
    clearSessionCookies(req, res);
  }

  @Get('me')
  @StaffOnly()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in member of staff' })
  @ApiOkResponse({ type: SignedInAgentDto })
  async me(@CurrentStaff() principal: StaffPrincipal): Promise<SignedInAgentDto> {
    const agent = await this.agents.getById(scopeOf(principal), principal.agentId);
    return {
      id: agent.id,
      libraryId: agent.libraryId,
      email: agent.email,
      displayName: agent.displayName,
      role: agent.role,
    };
  }
}
