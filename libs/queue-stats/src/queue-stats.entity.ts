import { Column, Entity, Index } from 'typeorm';
import { type Channel, CHANNELS } from '@readerdesk/conversations';
import { EnumColumn, JsonColumn, TenantEntity, UpdatedAtColumn, UuidColumn } from '@readerdesk/platform';
import type { Histogram } from './histogram';

/**
 * The triage queue (conversations no department has claimed) in the rollup's key. A NULL would never
 * conflict in a unique index, on either driver, so the upsert could not find the row it increments.
 */
export const TRIAGE_KEY = '00000000-0000-0000-0000-000000000000';

/**
 * One queue (department × channel) in one hour of one day of the library's calendar: counters and
 * duration histograms, each kept by one atomic upsert per event (never recounted from the
 * conversations). A day's figures are the sum of its hours; the board's charts read the hours. (The
 * table kept its first name, `queue_stats_daily`, when the hour joined its key.)
 */
@Entity('queue_stats_daily')
@Index('uq_queue_stats_hour', ['libraryId', 'departmentId', 'channel', 'day', 'hour'], { unique: true })
export class QueueStatsDaily extends TenantEntity {
  /** The department, or TRIAGE_KEY for the triage queue. No foreign key: a deleted department keeps its history. */
  @UuidColumn({ name: 'department_id' })
  departmentId!: string;

  @EnumColumn(CHANNELS, { enumName: 'conversation_channel' })
  channel!: Channel;

  /** The local date (YYYY-MM-DD) in the library's time zone when the counted thing happened. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  /** The local hour (0–23) of that day. */
  @Column({ type: 'smallint', default: 0 })
  hour!: number;

  /** Conversations that came in. */
  @Column({ type: 'integer', default: 0 })
  opened!: number;

  @Column({ type: 'integer', default: 0 })
  offered!: number;

  @Column({ type: 'integer', default: 0 })
  accepted!: number;

  @Column({ type: 'integer', default: 0 })
  rejected!: number;

  @Column({ name: 'timed_out', type: 'integer', default: 0 })
  timedOut!: number;

  /** First staff replies. */
  @Column({ type: 'integer', default: 0 })
  answered!: number;

  /** First staff replies within the channel's service-level threshold. */
  @Column({ name: 'answered_within', type: 'integer', default: 0 })
  answeredWithin!: number;

  @Column({ type: 'integer', default: 0 })
  abandoned!: number;

  @Column({ name: 'short_abandoned', type: 'integer', default: 0 })
  shortAbandoned!: number;

  @Column({ type: 'integer', default: 0 })
  resolved!: number;

  /** First-response times (wall clock) of the day's answers, by log-scale bucket (histogram.ts). */
  @JsonColumn({ name: 'first_response_histogram', default: () => "'{}'" })
  firstResponseHistogram!: Histogram;

  /** Resolution times (wall clock, from the first message) of the day's resolutions. */
  @JsonColumn({ name: 'resolution_histogram', default: () => "'{}'" })
  resolutionHistogram!: Histogram;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
