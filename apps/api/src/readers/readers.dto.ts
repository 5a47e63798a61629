import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { HANDLE_KINDS, type HandleKind } from '@readerdesk/readers';

export class HandleInputDto {
  @ApiProperty({ enum: HANDLE_KINDS }) @IsIn(HANDLE_KINDS) kind!: HandleKind;
  @ApiProperty({ example: '+1 212 555 0101' }) @IsString() @Length(1, 320) value!: string;
}

export class ResolveReaderDto {
  @ApiProperty({ type: [HandleInputDto] })
  @ValidateNested({ each: true })
  @Type(() => HandleInputDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  handles!: HandleInputDto[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) displayName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(35) preferredLanguage?: string;
}

export class MergeReaderDto {
  @ApiProperty({ description: 'The reader whose handles and history move into this one' })
  @IsUUID()
  sourceReaderId!: string;
}

export class ReaderHandleDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: HANDLE_KINDS }) kind!: HandleKind;
  @ApiProperty() value!: string;
  @ApiProperty() raw!: string;
  @ApiProperty({ description: 'false when the value could not be normalised and is kept as given' }) valid!: boolean;
}

export class ReaderDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String }) displayName!: string | null;
  @ApiProperty({ nullable: true, type: String }) preferredLanguage!: string | null;
  @ApiProperty({ nullable: true, type: String }) cardNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) category!: string | null;
  @ApiProperty({ nullable: true, type: String }) homeBranchId!: string | null;
  @ApiProperty() keepHistory!: boolean;
  @ApiProperty({ nullable: true, type: String }) mergedIntoId!: string | null;
  @ApiProperty({ type: [ReaderHandleDto] }) handles!: ReaderHandleDto[];
}

export class ResolutionDto {
  @ApiProperty({ type: ReaderDto }) reader!: ReaderDto;
  @ApiProperty() created!: boolean;
  @ApiProperty({
    type: [ReaderHandleDto],
    description: 'Matching handles that belong to other readers: merge candidates',
  })
  conflicts!: ReaderHandleDto[];
}
