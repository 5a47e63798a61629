import { MigrationInterface, QueryRunner } from 'typeorm';

export class UnprocessedMail1796186152478 implements MigrationInterface {
  name = 'UnprocessedMail1796186152478';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."email_unprocessed_reason" AS ENUM('no_sender', 'suspected_automatic', 'automatic')`);
    await queryRunner.query(`CREATE TYPE "public"."email_unprocessed_status" AS ENUM('pending', 'converted', 'discarded')`);
    await queryRunner.query(`CREATE TABLE "email_unprocessed" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "inbox_id" uuid NOT NULL, "reason" "public"."email_unprocessed_reason" NOT NULL, "reason_text" text NOT NULL, "category" character varying(40) NOT NULL, "message_id" character varying(255) NOT NULL, "subject" character varying(500), "from_text" character varying(500), "size" integer NOT NULL, "sha256" character varying(64) NOT NULL, "storage_key" character varying(500), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" "public"."email_unprocessed_status" NOT NULL DEFAULT 'pending', "resolved_by_id" uuid, "resolved_at" TIMESTAMP WITH TIME ZONE, "conversation_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2d7422295e421c0750343805274" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_email_unprocessed_list" ON "email_unprocessed"  ("library_id", "inbox_id", "status", "received_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_email_unprocessed_message" ON "email_unprocessed"  ("inbox_id", "message_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_email_unprocessed_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_email_unprocessed_list"`);
    await queryRunner.query(`DROP TABLE "email_unprocessed"`);
    await queryRunner.query(`DROP TYPE "public"."email_unprocessed_status"`);
    await queryRunner.query(`DROP TYPE "public"."email_unprocessed_reason"`);
  }
}
