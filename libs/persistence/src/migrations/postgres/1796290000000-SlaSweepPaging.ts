import { MigrationInterface, QueryRunner } from 'typeorm';

/** The SLA sweep pages by (sla_next_check_at, id): the index holds both, so every page is one range scan. */
export class SlaSweepPaging1796290000000 implements MigrationInterface {
  name = 'SlaSweepPaging1796290000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_sla_check"`);
    await queryRunner.query(`CREATE INDEX "ix_conversations_sla_check" ON "conversations" ("sla_next_check_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_sla_check"`);
    await queryRunner.query(`CREATE INDEX "ix_conversations_sla_check" ON "conversations" ("sla_next_check_at") `);
  }
}
