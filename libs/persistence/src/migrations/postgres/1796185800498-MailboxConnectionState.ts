import { MigrationInterface, QueryRunner } from 'typeorm';

export class MailboxConnectionState1796185800498 implements MigrationInterface {
  name = 'MailboxConnectionState1796185800498';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "last_error_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "connection_state" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "state_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "consecutive_failures" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "failing_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "waiting" integer`);
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
