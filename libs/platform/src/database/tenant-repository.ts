import {
  Brackets,
  EntityTarget,
  FindOptionsOrder,
  FindOptionsWhere,
  In,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { NotFoundError } from '../errors/domain-error';
import { DatabaseService } from './database.service';

/** Bound parameters per statement, under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const MAX_PARAMETERS = 30_000;

/** One SQL statement with its bound parameters ($1… on PostgreSQL, ? on SQLite). */
interface SqlStatement {
  sql: string;
  params: unknown[];
}

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

  /** The rows of these ids that the library has (another library's read as missing), in no particular order. */
  async findByIds(scope: LibraryScope, ids: readonly string[]): Promise<E[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    return this.find(scope, { id: In(wanted) } as unknown as Where<E>);
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
    const prepared = this.buildInsert(scope, rows);
    if (!prepared.statements) {
      for (const row of prepared.rows) await this.repo().insert(row);
      return prepared.rows;
    }
    for (const { sql, params } of prepared.statements) await this.db.manager.query(sql, params);
    return prepared.rows;
  }

  private buildInsert(scope: LibraryScope, rows: E[]): { rows: E[]; statements: SqlStatement[] | null } {
    const stamped = rows.map((row) => this.repo().create({ ...row, libraryId: scope.libraryId }));
    if (stamped.length === 0) return { rows: stamped, statements: [] };
    const plan = this.insertPlan();
    if (!plan) return { rows: stamped, statements: null };
    const now = new Date();
    for (const row of stamped) {
      for (const column of plan.columns) {
        if (column.getEntityValue(row) === undefined) column.setEntityValue(row, plan.defaultOf(column, now));
      }
    }
    const driver = this.db.manager.connection.driver;
    const names = plan.columns.map((c) => `"${c.databaseName}"`).join(', ');
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / plan.columns.length));
    const statements: SqlStatement[] = [];
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
      statements.push({ sql: `INSERT INTO "${plan.table}" (${names}) VALUES ${tuples.join(', ')}`, params });
    }
    return { rows: stamped, statements };
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

  /**
   * Gives many rows each their own changes with one statement per set of changed columns
   * (`WITH v AS (VALUES …) UPDATE … FROM v`) instead of one statement per row; the update-date
   * column is stamped as `update` stamps it. Rows of another library are left alone; an id listed
   * twice takes its later changes.
   */
  async updateMany(
    scope: LibraryScope,
    rows: Array<{ id: string; changes: Partial<Omit<E, 'id' | 'libraryId'>> }>,
  ): Promise<void> {
    const metadata = this.repo().metadata;
    const merged = new Map<string, Record<string, unknown>>();
    for (const { id, changes } of rows) {
      merged.set(id, {
        ...merged.get(id),
        ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
      });
    }
    const groups = new Map<string, { columns: ColumnMetadata[]; rows: Array<[string, Record<string, unknown>]> }>();
    for (const [id, changes] of merged) {
      const properties = Object.keys(changes).sort();
      if (properties.length === 0) continue;
      const key = properties.join('\u0000');
      const group = groups.get(key) ?? {
        columns: properties.map((property) => {
          const column = metadata.findColumnWithPropertyPath(property);
          if (!column || column.isPrimary || column.propertyName === 'libraryId')
            throw new Error(`${metadata.tableName}.${property} cannot be changed by updateMany`);
          return column;
        }),
        rows: [],
      };
      group.rows.push([id, changes]);
      groups.set(key, group);
    }
    if (groups.size === 0) return;
    const manager = this.db.manager;
    const driver = manager.connection.driver;
    const postgres = this.db.dialect === 'postgres';
    const types = postgres ? await this.postgresTypes() : null;
    const idColumn = metadata.primaryColumns[0];
    const stamp = metadata.updateDateColumn;
    const quote = (name: string) => `"${name}"`;
    for (const { columns, rows: members } of groups.values()) {
      const all = [idColumn, ...columns];
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / all.length) - 1);
      for (let start = 0; start < members.length; start += perStatement) {
        const params: unknown[] = [];
        const mark = (value: unknown, column: ColumnMetadata) => {
          params.push(driver.preparePersistentValue(value, column));
          // PostgreSQL types a VALUES list from its contents: every parameter says its column's type.
          return postgres ? `$${params.length}::${types!.get(column.databaseName)}` : '?';
        };
        const tuples = members.slice(start, start + perStatement).map(([id, changes]) => {
          const marks = [mark(id, idColumn), ...columns.map((c) => mark(changes[c.propertyName], c))];
          return `(${marks.join(', ')})`;
        });
        const sets = columns.map((c) => `${quote(c.databaseName)} = v.${quote(c.databaseName)}`);
        if (stamp && !columns.includes(stamp)) sets.push(`${quote(stamp.databaseName)} = ${mark(new Date(), stamp)}`);
        params.push(scope.libraryId);
        const library = postgres ? `$${params.length}` : '?';
        const table = quote(metadata.tablePath);
        await manager.query(
          `WITH v (${all.map((c) => quote(c.databaseName)).join(', ')}) AS (VALUES ${tuples.join(', ')}) ` +
            `UPDATE ${table} SET ${sets.join(', ')} FROM v ` +
            `WHERE ${table}."library_id" = ${library} AND ${table}.${quote(idColumn.databaseName)} = v.${quote(idColumn.databaseName)}`,
          params,
        );
      }
    }
  }

  private columnTypes?: Map<string, string>;

  /**
   * Each column's PostgreSQL type as SQL spells it (`timestamp with time zone`, `conversation_status`),
   * read once; without its length, so that a value too long for its column fails as in `update`
   * instead of being cut by the cast.
   */
  private async postgresTypes(): Promise<Map<string, string>> {
    if (this.columnTypes) return this.columnTypes;
    const rows = await this.db.manager.query<Array<{ name: string; type: string }>>(
      `SELECT attname AS name, format_type(atttypid, NULL) AS type FROM pg_attribute
       WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [`"${this.repo().metadata.tablePath}"`],
    );
    this.columnTypes = new Map(rows.map((r) => [r.name, r.type]));
    return this.columnTypes;
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

  /**
   * A time as a query parameter compared with a timestamp column: SQLite keeps timestamps as UTC
   * text ("2026-11-22 11:43:00.000"), so there it must be the same text; PostgreSQL takes the Date.
   */
  protected timestamp(at: Date): Date | string {
    return this.db.dialect === 'sqlite' ? at.toISOString().replace('T', ' ').replace('Z', '') : at;
  }

  /** A query builder that already filters on the scope's library. */
  protected query(scope: LibraryScope, alias: string): SelectQueryBuilder<E> {
    return this.repo()
      .createQueryBuilder(alias)
      .where(`${alias}.libraryId = :scopeLibraryId`, { scopeLibraryId: scope.libraryId });
  }
  /**
   * Keeps rows whose `departmentColumn` (e.g. `c.departmentId`) is one of `departments`, or none
   * (unclaimed, library-wide): what a member of staff of those departments may see. 'all' keeps every row.
   */
  protected inDepartments<T extends ObjectLiteral>(
    q: SelectQueryBuilder<T>,
    departmentColumn: string,
    departments: ReadonlySet<string> | 'all',
  ): SelectQueryBuilder<T> {
    if (departments === 'all') return q;
    const ids = [...departments];
    return q.andWhere(
      new Brackets((b) => {
        b.where(`${departmentColumn} IS NULL`);
        if (ids.length > 0) b.orWhere(`${departmentColumn} IN (:...inDepartmentIds)`, { inDepartmentIds: ids });
      }),
    );
  }
}

/** True when a write failed on a unique index (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
