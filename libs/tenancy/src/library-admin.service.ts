import { Injectable } from '@nestjs/common';
import { DomainError, isUniqueViolation, LibraryScope, newRowId, NotFoundError } from '@readerdesk/platform';
import { Branch } from './branch.entity';
import { BranchRepository } from './branch.repository';
import { Library } from './library.entity';
import { LibraryRepository } from './library.repository';
import { isTimeZone } from './time-zone';
import { TenancyErrors } from './tenancy.errors';

export type LibraryChanges = Partial<
  Pick<Library, 'name' | 'defaultCountry' | 'defaultLanguage' | 'timeZone' | 'keepHistoryByDefault' | 'allowedOrigins'>
>;
export type BranchFields = Pick<Branch, 'code' | 'name' | 'timeZone'> & { address?: string | null };
export type LibraryFields = Pick<Library, 'slug' | 'name' | 'defaultCountry' | 'defaultLanguage' | 'timeZone'> & {
  keepHistoryByDefault?: boolean;
};

function checkTimeZone(zone: string | undefined): void {
  if (zone !== undefined && !isTimeZone(zone)) {
    throw new DomainError(TenancyErrors.invalidTimeZone, `"${zone}" is not an IANA time zone (such as Europe/Berlin)`);
  }
}

/**
 * An origin as browsers send it: `scheme://host[:port]`, lower case, no default port, no path.
 * Anything else (a path, a wildcard, `null`) is refused, so that a comparison with the Origin
 * header is an exact match.
 */
export function normaliseOrigin(value: string): string {
  const refuse = () =>
    new DomainError(
      TenancyErrors.invalidOrigin,
      `"${value}" is not a web origin: write scheme, host and port only, such as https://www.example.org`,
    );
  const text = value.trim();
  // scheme://authority with at most a trailing slash: no path, query, fragment or wildcard.
  if (!/^https?:\/\/[^/?#*@]+\/?$/i.test(text)) throw refuse();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse();
  }
  return url.origin;
}

/** An administrator's changes to their own library and its branches. */
@Injectable()
export class LibraryAdminService {
  constructor(
    private readonly libraries: LibraryRepository,
    private readonly branches: BranchRepository,
  ) {}

  async library(scope: LibraryScope): Promise<Library> {
    const found = await this.libraries.findById(scope.libraryId);
    if (!found) throw new NotFoundError('Library');
    return found;
  }

  async updateLibrary(scope: LibraryScope, changes: LibraryChanges): Promise<Library> {
    checkTimeZone(changes.timeZone);
    if (changes.allowedOrigins)
      changes = { ...changes, allowedOrigins: [...new Set(changes.allowedOrigins.map(normaliseOrigin))] };
    await this.libraries.update(scope.libraryId, changes);
    return this.library(scope);
  }

  /** A new library (first-start seeding); its slug is unique across the desk. */
  async createLibrary(fields: LibraryFields): Promise<Library> {
    checkTimeZone(fields.timeZone);
    try {
      return await this.libraries.insert({
        id: newRowId(),
        keepHistoryByDefault: false,
        allowedOrigins: [] as string[],
        ...fields,
      } as Library);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DomainError(TenancyErrors.duplicateCode, `A library with slug "${fields.slug}" exists already`);
      throw error;
    }
  }

  async createBranch(scope: LibraryScope, fields: BranchFields): Promise<Branch> {
    const [branch] = await this.createBranches(scope, [fields]);
    return branch;
  }

  /** Several branches in one statement (first-start seeding). */
  async createBranches(scope: LibraryScope, list: readonly BranchFields[]): Promise<Branch[]> {
    for (const fields of list) checkTimeZone(fields.timeZone);
    try {
      return await this.branches.insert(
        scope,
        ...list.map((fields) => ({ id: newRowId(), libraryId: scope.libraryId, address: null, ...fields }) as Branch),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        const codes = list.map((fields) => `"${fields.code}"`).join(', ');
        const which = list.length === 1 ? `code ${codes}` : `one of the codes ${codes}`;
        throw new DomainError(TenancyErrors.duplicateCode, `A branch with ${which} exists already`);
      }
      throw error;
    }
  }

  async updateBranch(scope: LibraryScope, id: string, changes: Partial<BranchFields>): Promise<Branch> {
    checkTimeZone(changes.timeZone);
    await this.branches.getById(scope, id);
    try {
      await this.branches.update(scope, id, changes);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DomainError(TenancyErrors.duplicateCode, `A branch with code "${changes.code}" exists already`);
      throw error;
    }
    return this.branches.getById(scope, id);
  }
}
