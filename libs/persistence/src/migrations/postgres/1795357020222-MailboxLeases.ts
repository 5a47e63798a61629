import { MigrationInterface, QueryRunner } from 'typeorm';

export class MailboxLeases1795357020222 implements MigrationInterface {
  name = 'MailboxLeases1795357020222';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "lease_owner" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" ADD "lease_until" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "lease_until"`);
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" DROP COLUMN "lease_owner"`);
  }
}
