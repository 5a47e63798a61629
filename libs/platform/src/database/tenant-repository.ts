import {
  EntityTarget,
  FindOptionsOrder,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { NotFoundError } from '../errors/domain-error';
import { DatabaseService } from './database.service';

declare const scopeBrand: unique symbol;

/**
 * Proof that the caller has settled which library (tenant) it acts for. Repositories of tenant
 * data take one on every call, so a query without a library cannot be written by accident.
 */
export type LibraryScope = { readonly libraryId: string; readonly [scopeBrand]: true };

export function libraryScope(libraryId: string): LibraryScope {
  if (!libraryId) throw new Error('a library scope needs a library id');
  return { libraryId } as LibraryScope;
}

export interface TenantOwned extends ObjectLiteral {
  id: string;
  libraryId: string;
}

type Where<E> = Omit<FindOptionsWhere<E>, 'libraryId'>;

function byId<E>(id: string): Where<E> {
  return { id } as unknown as Where<E>;
}

/**
 * Base for repositories of rows that belong to a library. It never exposes the raw TypeORM
 * repository: every method adds `library_id = :scope` itself, and rows of another library are
 * indistinguishable from rows that do not exist.
 */
export abstract class TenantRepository<E extends TenantOwned> {
  protected constructor(
    protected readonly db: DatabaseService,
    private readonly target: EntityTarget<E>,
    protected readonly label: string,
  ) {}

  private repo(): Repository<E> {
    return this.db.manager.getRepository(this.target);
  }

  private scoped(scope: LibraryScope, where: Where<E> = {} as Where<E>): FindOptionsWhere<E> {
    return { ...where, libraryId: scope.libraryId };
  }

  async find(scope: LibraryScope, where?: Where<E>, order?: FindOptionsOrder<E>, take?: number): Promise<E[]> {
    return this.repo().find({ where: this.scoped(scope, where), order, take });
  }

  async findOne(scope: LibraryScope, where: Where<E>): Promise<E | null> {
    return this.repo().findOne({ where: this.scoped(scope, where) });
  }

  async findById(scope: LibraryScope, id: string): Promise<E | null> {
    return this.findOne(scope, byId<E>(id));
  }

  async getById(scope: LibraryScope, id: string): Promise<E> {
    const found = await this.findById(scope, id);
    if (!found) throw new NotFoundError(this.label);
    return found;
  }

  async count(scope: LibraryScope, where?: Where<E>): Promise<number> {
    return this.repo().count({ where: this.scoped(scope, where) });
  }

  /** Inserts rows stamped with the scope's library, whatever library id they carried. */
  async insert(scope: LibraryScope, ...rows: E[]): Promise<E[]> {
    const stamped = rows.map((row) => this.repo().create({ ...row, libraryId: scope.libraryId }));
    if (this.db.dialect === 'sqlite' && stamped.length > 1) {
      // TypeORM reads the defaults of a multi-row SQLite insert back in an order of its own and merges
      // them into the entities by position, which swapped ids between rows; one statement per row is
      // exact, and cheap on SQLite inside the surrounding transaction.
      for (const row of stamped) await this.repo().insert(row);
    } else {
      await this.repo().insert(stamped);
    }
    return stamped;
  }

  async update(scope: LibraryScope, id: string, changes: Partial<Omit<E, 'id' | 'libraryId'>>): Promise<boolean> {
    const result = await this.repo().update(this.scoped(scope, byId<E>(id)), changes as never);
    return (result.affected ?? 0) > 0;
  }

  /** Updates every row of the scope that matches `where`; returns how many changed. */
  async updateWhere(
    scope: LibraryScope,
    where: Where<E>,
    changes: Partial<Omit<E, 'id' | 'libraryId'>>,
  ): Promise<number> {
    const result = await this.repo().update(this.scoped(scope, where), changes as never);
    return result.affected ?? 0;
  }

  async delete(scope: LibraryScope, id: string): Promise<boolean> {
    const result = await this.repo().delete(this.scoped(scope, byId<E>(id)));
    return (result.affected ?? 0) > 0;
  }

  /** A query builder that already filters on the scope's library. */
  protected query(scope: LibraryScope, alias: string): SelectQueryBuilder<E> {
    return this.repo()
      .createQueryBuilder(alias)
      .where(`${alias}.libraryId = :scopeLibraryId`, { scopeLibraryId: scope.libraryId });
  }
}

/** True when a write failed on a unique index (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
