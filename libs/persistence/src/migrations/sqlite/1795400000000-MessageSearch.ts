import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search on SQLite: an FTS5 table over the subject and text of messages, kept by triggers
 * (written by hand; migration:generate knows nothing of virtual tables or triggers). Its rowid is the
 * message's rowid, so a change finds its row without a scan; the ids it carries are what queries join
 * on. `unicode61 remove_diacritics 2` folds case and accents ("jose" finds "José").
 *
 * A later migration that rebuilds the messages table (SQLite's way of altering columns) drops these
 * triggers with the old table: it must call `installMessageSearch` again, which also refills the index.
 */
export async function installMessageSearch(queryRunner: QueryRunner): Promise<void> {
  const row = (prefix: string) =>
    `${prefix}.rowid, coalesce(${prefix}."subject", ''), coalesce(${prefix}."text", ''), ${prefix}."id", ${prefix}."conversation_id", ${prefix}."library_id"`;
  const columns = `rowid, "subject", "body", "message_id", "conversation_id", "library_id"`;
  await queryRunner.query(`DROP TRIGGER IF EXISTS "messages_search_insert"`);
  await queryRunner.query(`DROP TRIGGER IF EXISTS "messages_search_delete"`);
  await queryRunner.query(`DROP TRIGGER IF EXISTS "messages_search_update"`);
  await queryRunner.query(`DELETE FROM "messages_search"`);
  await queryRunner.query(
    `CREATE TRIGGER "messages_search_insert" AFTER INSERT ON "messages" BEGIN ` +
      `INSERT INTO "messages_search"(${columns}) VALUES (${row('new')}); END`,
  );
  await queryRunner.query(
    `CREATE TRIGGER "messages_search_delete" AFTER DELETE ON "messages" BEGIN ` +
      `DELETE FROM "messages_search" WHERE rowid = old.rowid; END`,
  );
  await queryRunner.query(
    `CREATE TRIGGER "messages_search_update" AFTER UPDATE OF "subject", "text", "conversation_id" ON "messages" BEGIN ` +
      `DELETE FROM "messages_search" WHERE rowid = old.rowid; ` +
      `INSERT INTO "messages_search"(${columns}) VALUES (${row('new')}); END`,
  );
  await queryRunner.query(`INSERT INTO "messages_search"(${columns}) SELECT ${row('m')} FROM "messages" m`);
}

export class MessageSearch1795400000000 implements MigrationInterface {
  name = 'MessageSearch1795400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE VIRTUAL TABLE "messages_search" USING fts5("subject", "body", "message_id" UNINDEXED, ` +
        `"conversation_id" UNINDEXED, "library_id" UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')`,
    );
    await installMessageSearch(queryRunner);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS "messages_search_update"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "messages_search_delete"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "messages_search_insert"`);
    await queryRunner.query(`DROP TABLE "messages_search"`);
  }
}
