import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { CHANNELS, type Channel } from '@readerdesk/conversations';
import { BREACH_LIST_LIMIT } from '@readerdesk/contracts';
import { PRESENCES, type Presence } from '@readerdesk/staff';

export class QueueStatsQuery {
  @ApiPropertyOptional({ description: 'Only this department (404 when it is not one the caller may see)' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class PercentilesDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Milliseconds; null without data today' }) p50!:
    number | null;
  @ApiProperty({ nullable: true, type: Number }) p90!: number | null;
}

export class QueueFiguresDto {
  @ApiProperty({ description: 'Unassigned conversations waiting now (new or open)' }) waiting!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'How long the longest of them has waited (ms)' })
  longestWaitMs!: number | null;
  @ApiProperty({ description: 'Open conversations in breach of an SLA target now' }) breached!: number;
  @ApiProperty({ description: 'Conversations that came in today' }) opened!: number;
  @ApiProperty({ description: 'Offers made today' }) offered!: number;
  @ApiProperty() accepted!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty() timedOut!: number;
  @ApiProperty({ description: 'First staff replies today' }) answered!: number;
  @ApiProperty({ description: 'Of those, within the channel’s service-level threshold' }) answeredWithin!: number;
  @ApiProperty({ description: 'Readers who left before an answer today' }) abandoned!: number;
  @ApiProperty({ description: 'Of those, who left within the short-abandon threshold' }) shortAbandoned!: number;
  @ApiProperty({ description: 'Resolutions today' }) resolved!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Percent: answeredWithin ÷ (answered + abandoned − shortAbandoned); null when that is 0',
  })
  serviceLevel!: number | null;
  @ApiProperty({ type: PercentilesDto, description: 'First-response time (wall clock) of today’s answers' })
  firstResponseMs!: PercentilesDto;
  @ApiProperty({ type: PercentilesDto, description: 'Resolution time (from the first message) of today’s resolutions' })
  resolutionMs!: PercentilesDto;
}

export class QueueDto extends QueueFiguresDto {
  @ApiProperty({ nullable: true, type: String, description: 'null: the triage queue' }) departmentId!: string | null;
  @ApiProperty({ enum: CHANNELS }) channel!: Channel;
}

export class PresenceCountsDto {
  @ApiProperty() available!: number;
  @ApiProperty() busy!: number;
  @ApiProperty() away!: number;
  @ApiProperty() offline!: number;
}

export class DepartmentStaffingDto {
  @ApiProperty() departmentId!: string;
  @ApiProperty({ type: PresenceCountsDto, description: 'Active members by presence' }) agents!: PresenceCountsDto;
}

export class AgentLoadDto {
  @ApiProperty() agentId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: PRESENCES }) presence!: Presence;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) presenceChangedAt!: string | null;
  @ApiProperty({ type: [String], description: 'Which of the departments in view they work in' })
  departmentIds!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Conversations assigned and held now (new, open, pending), per channel',
  })
  load!: Partial<Record<Channel, number>>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Per capacity channel' })
  capacity!: Record<string, number>;
}

export class HourFiguresDto {
  @ApiProperty({
    minimum: 0,
    maximum: 23,
    description: 'Local hour (on a day the clocks go back, its two runs count as one)',
  })
  hour!: number;
  @ApiProperty({ description: 'Conversations that came in' }) opened!: number;
  @ApiProperty({ description: 'First staff replies' }) answered!: number;
  @ApiProperty({ type: PercentilesDto, description: 'First-response time of the hour’s answers' })
  firstResponseMs!: PercentilesDto;
}

export class BreachDto {
  @ApiProperty({ format: 'uuid' }) conversationId!: string;
  @ApiProperty() number!: number;
  @ApiProperty({ nullable: true, type: String }) subject!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'null: the triage queue' }) departmentId!: string | null;
  @ApiProperty({ enum: CHANNELS }) channel!: Channel;
  @ApiProperty({ example: 'normal' }) priority!: string;
  @ApiProperty({
    enum: ['firstResponse', 'nextResponse', 'resolution'],
    isArray: true,
    description: 'Targets in breach now',
  })
  targets!: string[];
  @ApiProperty({ format: 'date-time', description: 'When the earliest of them was recorded' }) breachedAt!: string;
}

export class QueueStatsDto {
  @ApiProperty({ example: '2026-12-02', description: 'Today in the library’s time zone: what the counters cover' })
  day!: string;
  @ApiProperty({ example: 'Europe/London' }) timeZone!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Per channel, ms' })
  serviceLevelThresholdsMs!: Record<string, number>;
  @ApiProperty() shortAbandonMs!: number;
  @ApiProperty({ type: [QueueDto], description: 'Per department × channel with anything today or waiting now' })
  queues!: QueueDto[];
  @ApiProperty({ type: QueueFiguresDto, description: 'Every queue in view together' }) totals!: QueueFiguresDto;
  @ApiProperty({ type: [DepartmentStaffingDto] }) departments!: DepartmentStaffingDto[];
  @ApiProperty({ type: [AgentLoadDto] }) agents!: AgentLoadDto[];
  @ApiProperty({ type: [HourFiguresDto], description: 'Today’s 24 local hours, midnight first' })
  hours!: HourFiguresDto[];
  @ApiProperty({
    type: [BreachDto],
    description: `Open conversations in breach of an SLA target, oldest first (at most ${BREACH_LIST_LIMIT})`,
  })
  breaches!: BreachDto[];
}
