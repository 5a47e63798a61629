import { MigrationInterface, QueryRunner } from 'typeorm';

export class MailboxLeases1795357020222 implements MigrationInterface {
  name = 'MailboxLeases1795357020222';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "temporary_email_mailbox_cursors" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "uid_validity" varchar(32), "last_uid" bigint NOT NULL DEFAULT (0), "last_error" text, "last_fetch_at" datetime, "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "lease_owner" varchar(100), "lease_until" datetime)`);
    await queryRunner.query(`INSERT INTO "temporary_email_mailbox_cursors"("id", "library_id", "uid_validity", "last_uid", "last_error", "last_fetch_at", "updated_at") SELECT "id", "library_id", "uid_validity", "last_uid", "last_error", "last_fetch_at", "updated_at" FROM "email_mailbox_cursors"`);
    await queryRunner.query(`DROP TABLE "email_mailbox_cursors"`);
    await queryRunner.query(`ALTER TABLE "temporary_email_mailbox_cursors" RENAME TO "email_mailbox_cursors"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "email_mailbox_cursors" RENAME TO "temporary_email_mailbox_cursors"`);
    await queryRunner.query(`CREATE TABLE "email_mailbox_cursors" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "uid_validity" varchar(32), "last_uid" bigint NOT NULL DEFAULT (0), "last_error" text, "last_fetch_at" datetime, "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "email_mailbox_cursors"("id", "library_id", "uid_validity", "last_uid", "last_error", "last_fetch_at", "updated_at") SELECT "id", "library_id", "uid_validity", "last_uid", "last_error", "last_fetch_at", "updated_at" FROM "temporary_email_mailbox_cursors"`);
    await queryRunner.query(`DROP TABLE "temporary_email_mailbox_cursors"`);
  }
}
