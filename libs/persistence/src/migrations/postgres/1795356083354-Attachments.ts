import { MigrationInterface, QueryRunner } from 'typeorm';

export class Attachments1795356083354 implements MigrationInterface {
  name = 'Attachments1795356083354';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "attachments" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "conversation_id" uuid NOT NULL, "message_id" uuid, "filename" character varying(255) NOT NULL, "content_type" character varying(255) NOT NULL, "size" integer NOT NULL, "sha256" character varying(64) NOT NULL, "storage_key" character varying(500) NOT NULL, "inline" boolean NOT NULL DEFAULT false, "content_id" character varying(255), "uploaded_by_agent_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5e1f050bcff31e3084a1d662412" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_attachments_conversation" ON "attachments"  ("conversation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_attachments_message" ON "attachments"  ("message_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_attachments_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_attachments_conversation"`);
    await queryRunner.query(`DROP TABLE "attachments"`);
  }
}
