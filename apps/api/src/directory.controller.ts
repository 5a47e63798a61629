import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { libraryScope, Public, ApiProblems } from '@readerdesk/platform';
import { StaffDirectory } from '@readerdesk/staff';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { LibraryDirectoryDto } from './directory.dto';

/** Public facts about a library that its chat widget and contact pages show: branches and departments. */
@ApiTags('directory')
@Public()
@Controller('libraries')
export class DirectoryController {
  constructor(
    private readonly libraries: LibraryDirectory,
    private readonly staff: StaffDirectory,
  ) {}

  @Get(':slug')
  @ApiOkResponse({ type: LibraryDirectoryDto })
  @ApiOperation({
    summary: "A library's public directory",
    description:
      "Branches with their time zones and the departments readers can ask, for a library's website. Needs no credentials.",
  })
  @ApiProblems([404, 'No library with that slug'])
  async directory(@Param('slug') slug: string): Promise<LibraryDirectoryDto> {
    const library = await this.libraries.getBySlug(slug);
    const scope = libraryScope(library.id);
    const [branches, departments] = await Promise.all([
      this.libraries.branches(scope),
      this.staff.listDepartments(scope),
    ]);
    return {
      slug: library.slug,
      name: library.name,
      timeZone: library.timeZone,
      defaultLanguage: library.defaultLanguage,
      branches: branches.map((b) => ({ code: b.code, name: b.name, timeZone: b.timeZone })),
      departments: departments.map((d) => ({ code: d.code, name: d.name, description: d.description })),
    };
  }
}
