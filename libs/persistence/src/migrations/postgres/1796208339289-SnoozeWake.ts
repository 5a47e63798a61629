import { MigrationInterface, QueryRunner } from 'typeorm';

export class SnoozeWake1796208339289 implements MigrationInterface {
  name = 'SnoozeWake1796208339289';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_conversations_snoozed" ON "conversations"  ("snoozed_until") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_snoozed"`);
  }
}
