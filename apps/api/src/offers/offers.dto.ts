import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsUUID, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { CHANNELS } from '@readerdesk/conversations';
import {
  AGENT_ORDERS,
  type AgentOrder,
  MAX_OFFER_TIMEOUT_SECONDS,
  OFFER_END_REASONS,
  OFFER_MODES,
  OFFER_STATUSES,
  type OfferMode,
  OVERFLOW_ACTIONS,
  type OverflowAction,
} from '@readerdesk/offers';

const notNull = (_: object, value: unknown) => value !== null;

export class OfferDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ format: 'uuid', description: 'The queue that offered it (an overflow department’s, perhaps)' })
  departmentId!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty({ enum: OFFER_MODES }) mode!: string;
  @ApiProperty({ enum: OFFER_STATUSES }) status!: string;
  @ApiProperty({ enum: OFFER_END_REASONS, nullable: true, type: String }) endReason!: string | null;
  @ApiProperty() offeredAt!: Date;
  @ApiProperty({ nullable: true, type: Date, description: 'When it times out; null: it does not' })
  expiresAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) closedAt!: Date | null;
}

export class OverflowDto {
  @ApiProperty({ example: 120, description: 'Seconds waiting in this department before the overflow applies' })
  @IsInt()
  @Min(1)
  @Max(86_400)
  afterSeconds!: number;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  departmentId!: string;

  @ApiProperty({
    enum: OVERFLOW_ACTIONS,
    description:
      '`offer`: also offered to that department’s agents (accepting moves it there); `move`: transferred there',
  })
  @IsIn(OVERFLOW_ACTIONS)
  action!: OverflowAction;
}

export class OfferSettingsBodyDto {
  @ApiPropertyOptional({ enum: OFFER_MODES })
  @IsOptional()
  @IsIn(OFFER_MODES)
  mode?: OfferMode;

  @ApiPropertyOptional({ enum: AGENT_ORDERS })
  @IsOptional()
  @IsIn(AGENT_ORDERS)
  agentOrder?: AgentOrder;

  @ApiPropertyOptional({
    description: `Seconds per channel (voice, video, chat, sms, email), 1–${MAX_OFFER_TIMEOUT_SECONDS}; null: assigned directly within capacity`,
    example: { chat: 20, voice: 30, email: null },
  })
  @IsOptional()
  @IsObject()
  timeouts?: Record<string, number | null>;

  @ApiPropertyOptional({ type: OverflowDto, nullable: true, description: 'null: no overflow' })
  @IsOptional()
  @ValidateIf(notNull)
  @ValidateNested()
  @Type(() => OverflowDto)
  overflow?: OverflowDto | null;
}

export class OfferSettingsDto {
  @ApiProperty({ format: 'uuid' }) departmentId!: string;
  @ApiProperty({ enum: OFFER_MODES }) mode!: string;
  @ApiProperty({ enum: AGENT_ORDERS }) agentOrder!: string;
  @ApiProperty({ example: { voice: 30, video: 30, chat: 30, sms: 120, email: null } })
  timeouts!: Record<string, number | null>;
  @ApiProperty({ type: OverflowDto, nullable: true }) overflow!: OverflowDto | null;
}
