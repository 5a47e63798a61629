import { MigrationInterface, QueryRunner } from 'typeorm';

export class Attachments1795356083354 implements MigrationInterface {
  name = 'Attachments1795356083354';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "attachments" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "conversation_id" varchar NOT NULL, "message_id" varchar, "filename" varchar(255) NOT NULL, "content_type" varchar(255) NOT NULL, "size" integer NOT NULL, "sha256" varchar(64) NOT NULL, "storage_key" varchar(500) NOT NULL, "inline" boolean NOT NULL DEFAULT (0), "content_id" varchar(255), "uploaded_by_agent_id" varchar, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_attachments_conversation" ON "attachments" ("conversation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_attachments_message" ON "attachments" ("message_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_attachments_message"`);
    await queryRunner.query(`DROP INDEX "ix_attachments_conversation"`);
    await queryRunner.query(`DROP TABLE "attachments"`);
  }
}
