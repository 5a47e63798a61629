import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ListMentionsQuery {
  @ApiPropertyOptional({ description: 'true: only mentions not marked read yet' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class MentionDto {
  @ApiProperty() id!: string;
  @ApiProperty() conversationId!: string;
  @ApiProperty({ description: 'The conversation’s reference number (#1234)' }) conversationNumber!: number;
  @ApiProperty({ description: 'The note that mentions the caller' }) messageId!: string;
  @ApiProperty({ nullable: true, type: String }) byAgentId!: string | null;
  @ApiProperty({ nullable: true, type: String }) byName!: string | null;
  @ApiProperty({ description: 'The start of the note, on one line' }) excerpt!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ nullable: true, type: Date }) readAt!: Date | null;
}

export class MentionPageDto {
  @ApiProperty({ type: [MentionDto] }) items!: MentionDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor!: string | null;
}
