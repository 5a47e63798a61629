import { MigrationInterface, QueryRunner } from 'typeorm';

export class EmailInboxes1795356623559 implements MigrationInterface {
  name = 'EmailInboxes1795356623559';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "email_mailbox_cursors" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "uid_validity" varchar(32), "last_uid" bigint NOT NULL DEFAULT (0), "last_error" text, "last_fetch_at" datetime, "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`DROP INDEX "ix_inboxes_library"`);
    await queryRunner.query(`CREATE TABLE "temporary_inboxes" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "channel" varchar CHECK( "channel" IN ('email','sms','voice','chat','video','api') ) NOT NULL, "name" varchar(200) NOT NULL, "default_department_id" varchar, "settings" json NOT NULL DEFAULT ('{}'), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "address" varchar(320), "secrets" text)`);
    await queryRunner.query(`INSERT INTO "temporary_inboxes"("id", "library_id", "channel", "name", "default_department_id", "settings", "created_at") SELECT "id", "library_id", "channel", "name", "default_department_id", "settings", "created_at" FROM "inboxes"`);
    await queryRunner.query(`DROP TABLE "inboxes"`);
    await queryRunner.query(`ALTER TABLE "temporary_inboxes" RENAME TO "inboxes"`);
    await queryRunner.query(`CREATE INDEX "ix_inboxes_library" ON "inboxes" ("library_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_inboxes_address" ON "inboxes" ("address") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_inboxes_address"`);
    await queryRunner.query(`DROP INDEX "ix_inboxes_library"`);
    await queryRunner.query(`ALTER TABLE "inboxes" RENAME TO "temporary_inboxes"`);
    await queryRunner.query(`CREATE TABLE "inboxes" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "channel" varchar CHECK( "channel" IN ('email','sms','voice','chat','video','api') ) NOT NULL, "name" varchar(200) NOT NULL, "default_department_id" varchar, "settings" json NOT NULL DEFAULT ('{}'), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "inboxes"("id", "library_id", "channel", "name", "default_department_id", "settings", "created_at") SELECT "id", "library_id", "channel", "name", "default_department_id", "settings", "created_at" FROM "temporary_inboxes"`);
    await queryRunner.query(`DROP TABLE "temporary_inboxes"`);
    await queryRunner.query(`CREATE INDEX "ix_inboxes_library" ON "inboxes" ("library_id") `);
    await queryRunner.query(`DROP TABLE "email_mailbox_cursors"`);
  }
}
