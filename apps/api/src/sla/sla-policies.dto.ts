import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { CHANNELS, type Channel, PRIORITIES, type Priority } from '@readerdesk/conversations';

const notNull = (_: object, value: unknown) => value !== null;
const MAX_MINUTES = 525_600; // a year

export class SlaPolicyPatchDto {
  @ApiPropertyOptional({ example: 'Reference, urgent' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null: any department' })
  @IsOptional()
  @ValidateIf(notNull)
  @IsUUID()
  departmentId?: string | null;

  @ApiPropertyOptional({ nullable: true, enum: PRIORITIES, description: 'null: any priority' })
  @IsOptional()
  @ValidateIf(notNull)
  @IsIn(PRIORITIES)
  priority?: Priority | null;

  @ApiPropertyOptional({ nullable: true, enum: CHANNELS, description: 'null: any channel' })
  @IsOptional()
  @ValidateIf(notNull)
  @IsIn(CHANNELS)
  channel?: Channel | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 60, description: 'Minutes, > 0; null: no target' })
  @IsOptional()
  @ValidateIf(notNull)
  @IsInt()
  @IsPositive()
  @Max(MAX_MINUTES)
  firstResponseMinutes?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 240 })
  @IsOptional()
  @ValidateIf(notNull)
  @IsInt()
  @IsPositive()
  @Max(MAX_MINUTES)
  nextResponseMinutes?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 2880 })
  @IsOptional()
  @ValidateIf(notNull)
  @IsInt()
  @IsPositive()
  @Max(MAX_MINUTES)
  resolutionMinutes?: number | null;

  @ApiPropertyOptional({ default: true, description: 'false: the clocks run 24/7' })
  @IsOptional()
  @IsBoolean()
  businessHours?: boolean;

  @ApiPropertyOptional({ default: 0.8, description: 'Share of a target at which the warning is sent, (0, 1)' })
  @IsOptional()
  @IsNumber()
  @Min(0.01)
  @Max(0.99)
  warnAt?: number;
}

export class SlaPolicyBodyDto extends SlaPolicyPatchDto {
  @ApiProperty({ example: 'Reference, urgent' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  declare name: string;
}

export class SlaPolicyDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) departmentId!: string | null;
  @ApiProperty({ nullable: true, enum: PRIORITIES }) priority!: Priority | null;
  @ApiProperty({ nullable: true, enum: CHANNELS }) channel!: Channel | null;
  @ApiProperty({ nullable: true, type: Number }) firstResponseMinutes!: number | null;
  @ApiProperty({ nullable: true, type: Number }) nextResponseMinutes!: number | null;
  @ApiProperty({ nullable: true, type: Number }) resolutionMinutes!: number | null;
  @ApiProperty() businessHours!: boolean;
  @ApiProperty() warnAt!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}
