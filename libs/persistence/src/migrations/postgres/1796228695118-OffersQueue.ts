import { MigrationInterface, QueryRunner } from 'typeorm';

export class OffersQueue1796228695118 implements MigrationInterface {
  name = 'OffersQueue1796228695118';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_conversations_waiting" ON "conversations"  ("library_id", "queued_at") WHERE status IN ('new', 'open') AND assignee_id IS NULL AND department_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_waiting"`);
  }
}
