import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { AGENT_ROLES, type AgentRole } from './agent.entity';

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
}

export class SignedInAgentDto {
  @ApiProperty() id!: string;
  @ApiProperty() libraryId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: AGENT_ROLES }) role!: AgentRole;
}

export class LoginResponseDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ description: 'Trade it at /auth/refresh for new tokens; each one works once' }) refreshToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ type: SignedInAgentDto }) agent!: SignedInAgentDto;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(16)
  @MaxLength(200)
  refreshToken!: string;
}
