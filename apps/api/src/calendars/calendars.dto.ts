import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { CALENDAR_LIMITS, CALENDAR_SOURCES, WEEKDAYS, type CalendarSource } from '@readerdesk/calendars';

// Shapes and sizes only: the meaning (times, overlaps, dates, the zone) is checked by the calendar
// service, which names fields as `weekly[2].end`.

export class WeeklyPeriodDto {
  @ApiProperty({ enum: WEEKDAYS, example: 'monday' }) @IsString() @MaxLength(16) day!: (typeof WEEKDAYS)[number];
  @ApiProperty({ example: '09:00', description: 'Local wall-clock time HH:mm' })
  @IsString()
  @MaxLength(5)
  start!: string;
  @ApiProperty({ example: '17:00', description: 'HH:mm after start, or 24:00; a period never crosses midnight' })
  @IsString()
  @MaxLength(5)
  end!: string;
}

export class HolidayDto {
  @ApiProperty({ example: '12-25', description: 'YYYY-MM-DD once, or MM-DD every year' })
  @IsString()
  @MaxLength(10)
  date!: string;
  @ApiProperty({ example: 'Christmas Day' }) @IsString() @MaxLength(200) name!: string;
}

export class ClosureDto {
  @ApiProperty({
    example: '2026-12-28',
    description:
      'An instant with offset (2026-12-28T12:00:00Z), a local date-time (2026-12-28T12:00) or a local date (from its start)',
  })
  @IsString()
  @MaxLength(40)
  start!: string;
  @ApiProperty({
    example: '2026-12-31',
    description: 'Exclusive for instants and date-times; a date closes through its end',
  })
  @IsString()
  @MaxLength(40)
  end!: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'Inventory' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string | null;
}

export class CalendarBodyDto {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'America/New_York',
    description:
      "IANA zone; null or absent follows the branch's (a department's: its branch's, else the default branch's)",
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(64)
  timeZone?: string | null;

  @ApiProperty({ type: [WeeklyPeriodDto] })
  @IsArray()
  @ArrayMaxSize(CALENDAR_LIMITS.weekly)
  @ValidateNested({ each: true })
  @Type(() => WeeklyPeriodDto)
  weekly!: WeeklyPeriodDto[];

  @ApiPropertyOptional({ type: [HolidayDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CALENDAR_LIMITS.holidays)
  @ValidateNested({ each: true })
  @Type(() => HolidayDto)
  holidays?: HolidayDto[];

  @ApiPropertyOptional({ type: [ClosureDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CALENDAR_LIMITS.closures)
  @ValidateNested({ each: true })
  @Type(() => ClosureDto)
  closures?: ClosureDto[];
}

export class CalendarDto {
  @ApiProperty({ nullable: true, type: String }) branchId!: string | null;
  @ApiProperty({ nullable: true, type: String }) departmentId!: string | null;
  @ApiProperty({ description: 'Whether this branch or department has opening hours of its own' }) configured!: boolean;
  @ApiProperty({
    enum: CALENDAR_SOURCES,
    description:
      "Where the hours that apply come from: its own; for a department without its own, its branch's (`branch`), else the library's default branch's (`default-branch`); or none (open 24/7)",
  })
  source!: CalendarSource;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The branch whose hours apply when source is branch or default-branch',
  })
  sourceBranchId!: string | null;
  @ApiProperty({ example: 'America/New_York', description: 'The zone the hours are read in' }) timeZone!: string;
  @ApiProperty({ nullable: true, type: String, description: "The stored zone; null follows the branch's" })
  storedTimeZone!: string | null;
  @ApiProperty({ type: [WeeklyPeriodDto] }) weekly!: WeeklyPeriodDto[];
  @ApiProperty({ type: [HolidayDto] }) holidays!: HolidayDto[];
  @ApiProperty({ type: [ClosureDto] }) closures!: ClosureDto[];
  @ApiProperty({ nullable: true, type: Date }) updatedAt!: Date | null;
}

export class HolidayImportDto {
  @ApiProperty() holidaysAdded!: number;
  @ApiProperty() closuresAdded!: number;
  @ApiProperty({ description: 'Dates and closures the calendar had already' }) skipped!: number;
  @ApiProperty({ type: CalendarDto }) calendar!: CalendarDto;
}

export class OpenQuery {
  @ApiPropertyOptional({ example: '2026-12-07T15:00:00Z', description: 'An instant with offset; now when absent' })
  @IsOptional()
  @IsString()
  at?: string;
}

export class NextOpeningQuery {
  @ApiPropertyOptional({ example: '2026-12-04T22:00:00Z', description: 'An instant with offset; now when absent' })
  @IsOptional()
  @IsString()
  after?: string;
}

export class BusinessTimeQuery {
  @ApiProperty({ example: '2026-12-04T21:00:00Z' }) @IsString() from!: string;
  @ApiProperty({ example: '2026-12-07T15:00:00Z' }) @IsString() to!: string;
}

export class OpenDto {
  @ApiProperty() at!: Date;
  @ApiProperty() open!: boolean;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'When it next opens (`at` itself when open); null: not within two years',
  })
  nextOpening!: Date | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'When it next closes (`at` itself when closed); null: open for two years',
  })
  nextClosing!: Date | null;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ enum: CALENDAR_SOURCES }) source!: CalendarSource;
}

export class NextOpeningDto {
  @ApiProperty() after!: Date;
  @ApiProperty({ nullable: true, type: Date, description: '`after` itself when open then; null: not within two years' })
  nextOpening!: Date | null;
}

export class BusinessTimeDto {
  @ApiProperty() from!: Date;
  @ApiProperty() to!: Date;
  @ApiProperty({ description: 'Open time between the two instants, real elapsed milliseconds' })
  businessMillis!: number;
  @ApiProperty({ description: 'The same in minutes (may have a fraction)' }) businessMinutes!: number;
}
