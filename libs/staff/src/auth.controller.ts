import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { DomainError, Public, ApiProblems } from '@readerdesk/platform';
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
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiOperation({
    summary: 'Sign in with email and password',
    description:
      'Answers an access token (15 minutes) and a rotating refresh token; with `"session":"cookie"` the tokens go into httpOnly cookies with a CSRF token instead. One message for an unknown account and a wrong password.',
  })
  @ApiProblems(
    400,
    [401, 'Wrong email or password, or the account is locked after repeated failures (`invalid_credentials`)'],
    [429, 'More than 20 attempts a minute from one address'],
  )
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
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiOperation({
    summary: 'Trade a refresh token for new tokens',
    description:
      'The refresh token (in the body, or the session cookie) is rotated: the old one stops working, and presenting a used one revokes its successors.',
  })
  @ApiProblems(400, [401, 'The refresh token is unknown, expired or already used (`refresh_token_invalid`)'])
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
  @ApiNoContentResponse()
  @ApiOperation({
    summary: 'Sign out',
    description:
      'The refresh token and its successors stop working and the session cookies are cleared. Answers 204 whether or not the token was still valid.',
  })
  @ApiProblems(400)
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
  @ApiOkResponse({ type: SignedInAgentDto })
  @ApiOperation({
    summary: 'The signed-in member of staff',
    description: "The caller's account: id, name, role, library and presence.",
  })
  @ApiProblems(401, 403)
  async me(@CurrentStaff() principal: StaffPrincipal): Promise<SignedInAgentDto> {
    const agent = await this.agents.getById(scopeOf(principal), principal.agentId);
    return {
      id: agent.id,
      libraryId: agent.libraryId,
      email: agent.email,
      displayName: agent.displayName,
      role: agent.role,
      presence: agent.presence,
    };
  }
}
