import { Injectable } from '@nestjs/common';
import { LibraryScope } from '@readerdesk/platform';
import { Branch } from './branch.entity';
import { BranchRepository } from './branch.repository';
import { Library } from './library.entity';
import { LibraryRepository } from './library.repository';

/**
 * The libraries and their branches as other libraries and the apps read them (directory pages,
 * identity resolution, first-start seeding), without handing out the tenancy repositories.
 */
@Injectable()
export class LibraryDirectory {
  constructor(
    private readonly libraries: LibraryRepository,
    private readonly branchRows: BranchRepository,
  ) {}

  findById(id: string): Promise<Library | null> {
    return this.libraries.findById(id);
  }

  findBySlug(slug: string): Promise<Library | null> {
    return this.libraries.findBySlug(slug);
  }

  /** The library with this slug; 404 not_found otherwise. */
  getBySlug(slug: string): Promise<Library> {
    return this.libraries.getBySlug(slug);
  }

  /** The library created first (the one a first administrator joins outside the demo), or null. */
  first(): Promise<Library | null> {
    return this.libraries.first();
  }

  /** Whether a page of this origin may call the API for this library (CORS). */
  async allowsOrigin(libraryId: string, origin: string): Promise<boolean> {
    return (await this.libraries.findById(libraryId))?.allowedOrigins.includes(origin) ?? false;
  }

  /** Whether any library lets pages of this origin call the API (preflights carry no credential to say which). */
  async anyAllowsOrigin(origin: string): Promise<boolean> {
    return (await this.libraries.allowedOrigins()).some((library) => library.allowedOrigins.includes(origin));
  }

  /** The library's branch with this id; 404 not_found for another library's or none. */
  branch(scope: LibraryScope, id: string): Promise<Branch> {
    return this.branchRows.getById(scope, id);
  }

  /** The library's branch with this id, or null: another library's reads as unknown. */
  findBranch(scope: LibraryScope, id: string): Promise<Branch | null> {
    return this.branchRows.findById(scope, id);
  }

  /** The branch created first: the library's main one where nothing says which (opening hours of departments). */
  async defaultBranch(scope: LibraryScope): Promise<Branch | null> {
    const [first] = await this.branchRows.find(scope, {}, { createdAt: 'ASC', id: 'ASC' }, 1);
    return first ?? null;
  }

  /** The library's branches, by name. */
  branches(scope: LibraryScope): Promise<Branch[]> {
    return this.branchRows.find(scope, {}, { name: 'ASC' });
  }
}
