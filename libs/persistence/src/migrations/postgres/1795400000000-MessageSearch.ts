import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search on PostgreSQL: a GIN index on the 'simple' text-search vector of each message's
 * subject and text (language-neutral: a library's readers write in many languages, and stemming for
 * one would mangle the others), and a GIN index for tag filters. Written by hand: migration:generate
 * does not write expression indexes; the entities declare the tag index with synchronize: false.
 * The expression here must stay identical to the one in ConversationRepository, or the planner
 * cannot use the index.
 */
export class MessageSearch1795400000000 implements MigrationInterface {
  name = 'MessageSearch1795400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_messages_search" ON "messages" USING GIN ` +
        `(to_tsvector('simple'::regconfig, coalesce("subject", '') || ' ' || coalesce("text", '')))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_conversations_tags" ON "conversations" USING GIN ("tags" jsonb_path_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_conversations_tags"`);
    await queryRunner.query(`DROP INDEX "ix_messages_search"`);
  }
}
