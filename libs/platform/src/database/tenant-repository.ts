import {
  EntityTarget,
  FindOptionsOrder,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { NotFoundError } from '../errors/domain-error';
import { DatabaseService } from './database.service';

/** Bound parameters per statement, under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const MAX_PARAMETERS = 30_000;

interface InsertPlan {
  table: string;
  columns: ColumnMetadata[];
  defaultOf(column: ColumnMetadata, now: Date): unknown;
}

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

  /**
   * Inserts rows stamped with the scope's library, whatever library id they carried, and returns them
   * with the column defaults filled in. One statement per few hundred rows, written here rather than
   * by TypeORM's insert builder, which spent more time building a 64-row insert than the database
   * spent running it, and read SQLite's defaults back into the wrong rows.
   */
  async insert(scope: LibraryScope, ...rows: E[]): Promise<E[]> {
    const stamped = rows.map((row) => this.repo().create({ ...row, libraryId: scope.libraryId }));
    if (stamped.length === 0) return stamped;
    const plan = this.insertPlan();
    if (!plan) {
      for (const row of stamped) await this.repo().insert(row);
      return stamped;
    }
    const now = new Date();
    for (const row of stamped) {
      for (const column of plan.columns) {
        if (column.getEntityValue(row) === undefined) column.setEntityValue(row, plan.defaultOf(column, now));
      }
    }
    const manager = this.db.manager;
    const driver = manager.connection.driver;
    const names = plan.columns.map((c) => `"${c.databaseName}"`).join(', ');
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / plan.columns.length));
    for (let start = 0; start < stamped.length; start += perStatement) {
      const chunk = stamped.slice(start, start + perStatement);
      const params: unknown[] = [];
      const tuples = chunk.map((row) => {
        const marks = plan.columns.map((column) => {
          params.push(driver.preparePersistentValue(column.getEntityValue(row), column));
          return this.db.dialect === 'postgres' ? `$${params.length}` : '?';
        });
        return `(${marks.join(', ')})`;
      });
      await manager.query(`INSERT INTO "${plan.table}" (${names}) VALUES ${tuples.join(', ')}`, params);
    }
    return stamped;
  }

  private plan?: InsertPlan | null;

  /**
   * The columns an insert writes and the value each takes when a row leaves it out, read once from
   * the entity's metadata; null when a default is an SQL expression only the database can evaluate
   * (then TypeORM inserts row by row).
   */
  private insertPlan(): InsertPlan | null {
    if (this.plan !== undefined) return this.plan;
    const metadata = this.repo().metadata;
    // A relation's join column and the plain column it shares a name with are one column of the table.
    const columns = [
      ...new Map(metadata.columns.filter((c) => c.isInsert && !c.isVirtual).map((c) => [c.databaseName, c])).values(),
    ];
    const literal = (column: ColumnMetadata): { ok: boolean; value?: unknown } => {
      if (column.isCreateDate || column.isUpdateDate) return { ok: true };
      const value = column.default as unknown;
      if (value === undefined) return { ok: !column.isGenerated, value: null };
      if (typeof value !== 'function') return { ok: true, value };
      // `() => "'{}'"`: a quoted SQL literal, the only kind of expression the entities use.
      const sql = String((value as () => unknown)());
      const quoted = /^'((?:[^']|'')*)'$/.exec(sql);
      if (!quoted) return { ok: false };
      const text = quoted[1].replace(/''/g, "'");
      if (column.type === 'json' || column.type === 'jsonb' || column.type === 'simple-json') {
        return { ok: true, value: JSON.parse(text) };
      }
      return { ok: true, value: text };
    };
    const defaults = new Map(columns.map((c) => [c, literal(c)]));
    if ([...defaults.values()].some((d) => !d.ok)) return (this.plan = null);
    this.plan = {
      table: metadata.tablePath,
      columns,
      defaultOf: (column, now) => {
        if (column.isCreateDate || column.isUpdateDate) return now;
        const value = defaults.get(column)?.value ?? null;
        // A fresh copy of an object default, so that rows never share one.
        return value !== null && typeof value === 'object' ? structuredClone(value) : value;
      },
    };
    return this.plan;
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
