import { MigrationInterface, QueryRunner } from 'typeorm';

export class Conversations1795344844015 implements MigrationInterface {
  name = 'Conversations1795344844015';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."conversation_channel" AS ENUM('email', 'sms', 'voice', 'chat', 'video', 'api')`);
    await queryRunner.query(`CREATE TYPE "public"."conversation_status" AS ENUM('new', 'open', 'pending', 'snoozed', 'resolved', 'closed')`);
    await queryRunner.query(`CREATE TYPE "public"."conversation_priority" AS ENUM('low', 'normal', 'high', 'urgent')`);
    await queryRunner.query(`CREATE TYPE "public"."question_type" AS ENUM('directional', 'ready_reference', 'research', 'technical', 'circulation_account', 'policy')`);
    await queryRunner.query(`CREATE TABLE "conversations" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "number" integer NOT NULL, "reader_id" uuid NOT NULL, "inbox_id" uuid NOT NULL, "channel" "public"."conversation_channel" NOT NULL, "department_id" uuid, "assignee_id" uuid, "status" "public"."conversation_status" NOT NULL DEFAULT 'new', "priority" "public"."conversation_priority" NOT NULL DEFAULT 'normal', "subject" character varying(500), "tags" jsonb NOT NULL DEFAULT '[]', "snoozed_until" TIMESTAMP WITH TIME ZONE, "read_level" smallint, "question_type" "public"."question_type", "first_response_at" TIMESTAMP WITH TIME ZONE, "waiting_since" TIMESTAMP WITH TIME ZONE, "resolved_at" TIMESTAMP WITH TIME ZONE, "last_message_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ee34f4f7ced4ec8681f26bf04ef" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_conversations_queue" ON "conversations"  ("library_id", "status", "department_id") `);
    await queryRunner.query(`CREATE INDEX "ix_conversations_reader" ON "conversations"  ("library_id", "reader_id", "last_message_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_conversations_number" ON "conversations"  ("library_id", "number") `);
    await queryRunner.query(`CREATE TYPE "public"."message_kind" AS ENUM('inbound', 'outbound', 'note', 'event')`);
    await queryRunner.query(`CREATE TABLE "messages" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "conversation_id" uuid NOT NULL, "inbox_id" uuid, "kind" "public"."message_kind" NOT NULL, "external_id" character varying(255), "author_agent_id" uuid, "subject" character varying(500), "text" text, "html" text, "raw_html" text, "data" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_messages_timeline" ON "messages"  ("conversation_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_messages_external" ON "messages"  ("inbox_id", "external_id") `);
    await queryRunner.query(`CREATE TYPE "public"."inbox_channel" AS ENUM('email', 'sms', 'voice', 'chat', 'video', 'api')`);
    await queryRunner.query(`CREATE TABLE "inboxes" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "channel" "public"."inbox_channel" NOT NULL, "name" character varying(200) NOT NULL, "default_department_id" uuid, "settings" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_902c6fe5be554398e6833bb099c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_inboxes_library" ON "inboxes"  ("library_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_inboxes_library"`);
    await queryRunner.query(`DROP TABLE "inboxes"`);
    await queryRunner.query(`DROP TYPE "public"."inbox_channel"`);
    await queryRunner.query(`DROP INDEX "public"."uq_messages_external"`);
    await queryRunner.query(`DROP INDEX "public"."ix_messages_timeline"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP TYPE "public"."message_kind"`);
    await queryRunner.query(`DROP INDEX "public"."uq_conversations_number"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_reader"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_queue"`);
    await queryRunner.query(`DROP TABLE "conversations"`);
    await queryRunner.query(`DROP TYPE "public"."question_type"`);
    await queryRunner.query(`DROP TYPE "public"."conversation_priority"`);
    await queryRunner.query(`DROP TYPE "public"."conversation_status"`);
    await queryRunner.query(`DROP TYPE "public"."conversation_channel"`);
  }
}
