import { MigrationInterface, QueryRunner } from 'typeorm';

export class UnprocessedMail1796186152478 implements MigrationInterface {
  name = 'UnprocessedMail1796186152478';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "email_unprocessed" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "inbox_id" varchar NOT NULL, "reason" varchar CHECK( "reason" IN ('no_sender','suspected_automatic','automatic') ) NOT NULL, "reason_text" text NOT NULL, "category" varchar(40) NOT NULL, "message_id" varchar(255) NOT NULL, "subject" varchar(500), "from_text" varchar(500), "size" integer NOT NULL, "sha256" varchar(64) NOT NULL, "storage_key" varchar(500), "received_at" datetime NOT NULL, "status" varchar CHECK( "status" IN ('pending','converted','discarded') ) NOT NULL DEFAULT ('pending'), "resolved_by_id" varchar, "resolved_at" datetime, "conversation_id" varchar, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_email_unprocessed_list" ON "email_unprocessed" ("library_id", "inbox_id", "status", "received_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_email_unprocessed_message" ON "email_unprocessed" ("inbox_id", "message_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_email_unprocessed_message"`);
    await queryRunner.query(`DROP INDEX "ix_email_unprocessed_list"`);
    await queryRunner.query(`DROP TABLE "email_unprocessed"`);
  }
}
