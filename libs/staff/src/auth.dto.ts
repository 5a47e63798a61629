import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { AGENT_ROLES, type AgentRole, PRESENCES, type Presence } from './agent.entity';

export class LoginDto {
  @ApiProperty({ example: 'admin@demo.readerdesk.org' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'readerdesk-demo' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({
    enum: ['token', 'cookie'],
    default: 'token',
    description:
      'token: tokens in the body (API clients). cookie: httpOnly session cookies for the console; the body then ' +
      'holds no tokens, only the CSRF token to echo in X-CSRF-Token on requests that change something',
  })
  @IsOptional()
  @IsIn(['token', 'cookie'])
  session?: 'token' | 'cookie';
}

export class SignedInAgentDto {
  @ApiProperty() id!: string;
  @ApiProperty() libraryId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: AGENT_ROLES }) role!: AgentRole;
  @ApiProperty({ enum: PRESENCES, description: 'Their presence now (what routing offers by)' }) presence!: Presence;
}

export class LoginResponseDto {
  @ApiPropertyOptional({ description: 'Absent with session "cookie"' }) accessToken?: string;
  @ApiPropertyOptional({
    description: 'Trade it at /auth/refresh for new tokens; each one works once. Absent with session "cookie"',
  })
  refreshToken?: string;
  @ApiProperty({ enum: ['Bearer', 'Cookie'] }) tokenType!: 'Bearer' | 'Cookie';
  @ApiPropertyOptional({ description: 'With session "cookie": send it as X-CSRF-Token on POST, PUT, PATCH, DELETE' })
  csrfToken?: string;
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ type: SignedInAgentDto }) agent!: SignedInAgentDto;
}

export class RefreshDto {
  @ApiPropertyOptional({ description: 'Omit with a session cookie: the rd_refresh cookie is used' })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(200)
  refreshToken?: string;
}
