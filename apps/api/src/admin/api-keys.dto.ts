import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsString, Length, MaxLength } from 'class-validator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Website contact form' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({
    type: [String],
    example: ['ingest:0195f3c2-7a4b-7c1d-8e2f-1a2b3c4d5e6f'],
    description:
      '"ingest:<inbox id>" (post inbound contacts to that inbox, read nothing back), "read" (the GET routes an ' +
      'agent may use, over the whole library), "admin" (what an administrator may do through GET and ' +
      'administrator routes). No scope lets a key reply, write notes, assign or manage API keys',
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(60, { each: true })
  scopes!: string[];
}

export class ApiKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The part of the key after "rdk_", which identifies it in lists' }) prefix!: string;
  @ApiProperty({ type: [String] }) scopes!: string[];
  @ApiProperty({ nullable: true, type: String }) createdById!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ nullable: true, type: Date }) revokedAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'To the minute' }) lastUsedAt!: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown this once, never again (only its hash is stored)' })
  key!: string;
}
