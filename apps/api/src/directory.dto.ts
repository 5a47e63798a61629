import { ApiProperty } from '@nestjs/swagger';

export class BranchSummaryDto {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'America/New_York' }) timeZone!: string;
}

export class DepartmentSummaryDto {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
}

export class LibraryDirectoryDto {
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty() defaultLanguage!: string;
  @ApiProperty({ type: [BranchSummaryDto] }) branches!: BranchSummaryDto[];
  @ApiProperty({ type: [DepartmentSummaryDto] }) departments!: DepartmentSummaryDto[];
}
