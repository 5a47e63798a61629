import { DataSource } from 'typeorm';

export interface SchemaStatement {
  query: string;
  parameters?: unknown[];
}

/** What `migration:generate` would write after the migrations that exist: empty when the schema matches the entities. */
export async function pendingSchemaChanges(
  dataSource: DataSource,
): Promise<{ up: SchemaStatement[]; down: SchemaStatement[] }> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return { up: sql.upQueries, down: sql.downQueries };
}
