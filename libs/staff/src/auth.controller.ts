import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
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
import { Public } from '@readerdesk/platform';
import { AgentRepository } from './agent.repository';
import { CurrentStaff, scopeOf } from './auth.guard';
import { LoginDto, LoginResponseDto, RefreshDto, SignedInAgentDto } from './auth.dto';
import { AuthService, type StaffPrincipal } from './auth.service';

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
  login(@Body() body: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(body.email, body.password);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade a refresh token for new tokens (the old one stops working)' })
  @ApiOkResponse({ type: LoginResponseDto })
  refresh(@Body() body: RefreshDto): Promise<LoginResponseDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: the refresh token and its successors stop working' })
  @ApiNoContentResponse()
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }

  @Get('me')
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
