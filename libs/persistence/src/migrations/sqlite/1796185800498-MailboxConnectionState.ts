import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited from TypeORM's table rebuild: ADD COLUMN keeps the table (and its rows) as it is.
export class MailboxConnectionState1796185800498 implements MigrationInterface {
  name = 'MailboxConnectionState1796185800498';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD COLUMN "last_error_at" datetime`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD COLUMN "connection_state" varchar(16)`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD COLUMN "state_since" datetime`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD COLUMN "consecutive_failures" integer NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD COLUMN "failing_since" datetime`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD COLUMN "waiting" integer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "waiting"`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "failing_since"`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "consecutive_failures"`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "state_since"`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "connection_state"`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "last_error_at"`);
  }
}
