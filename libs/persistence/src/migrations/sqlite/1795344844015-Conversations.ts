import { MigrationInterface, QueryRunner } from 'typeorm';

export class Conversations1795344844015 implements MigrationInterface {
  name = 'Conversations1795344844015';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "conversations" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "number" integer NOT NULL, "reader_id" varchar NOT NULL, "inbox_id" varchar NOT NULL, "channel" varchar CHECK( "channel" IN ('email','sms','voice','chat','video','api') ) NOT NULL, "department_id" varchar, "assignee_id" varchar, "status" varchar CHECK( "status" IN ('new','open','pending','snoozed','resolved','closed') ) NOT NULL DEFAULT ('new'), "priority" varchar CHECK( "priority" IN ('low','normal','high','urgent') ) NOT NULL DEFAULT ('normal'), "subject" varchar(500), "tags" json NOT NULL DEFAULT ('[]'), "snoozed_until" datetime, "read_level" smallint, "question_type" varchar CHECK( "question_type" IN ('directional','ready_reference','research','technical','circulation_account','policy') ), "first_response_at" datetime, "waiting_since" datetime, "resolved_at" datetime, "last_message_at" datetime NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_conversations_queue" ON "conversations" ("library_id", "status", "department_id") `);
    await queryRunner.query(`CREATE INDEX "ix_conversations_reader" ON "conversations" ("library_id", "reader_id", "last_message_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_conversations_number" ON "conversations" ("library_id", "number") `);
    await queryRunner.query(`CREATE TABLE "messages" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "conversation_id" varchar NOT NULL, "inbox_id" varchar, "kind" varchar CHECK( "kind" IN ('inbound','outbound','note','event') ) NOT NULL, "external_id" varchar(255), "author_agent_id" varchar, "subject" varchar(500), "text" text, "html" text, "raw_html" text, "data" json NOT NULL DEFAULT ('{}'), "created_at" datetime NOT NULL)`);
    await queryRunner.query(`CREATE INDEX "ix_messages_timeline" ON "messages" ("conversation_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_messages_external" ON "messages" ("inbox_id", "external_id") `);
    await queryRunner.query(`CREATE TABLE "inboxes" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "channel" varchar CHECK( "channel" IN ('email','sms','voice','chat','video','api') ) NOT NULL, "name" varchar(200) NOT NULL, "default_department_id" varchar, "settings" json NOT NULL DEFAULT ('{}'), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_inboxes_library" ON "inboxes" ("library_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_inboxes_library"`);
    await queryRunner.query(`DROP TABLE "inboxes"`);
    await queryRunner.query(`DROP INDEX "uq_messages_external"`);
    await queryRunner.query(`DROP INDEX "ix_messages_timeline"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "uq_conversations_number"`);
    await queryRunner.query(`DROP INDEX "ix_conversations_reader"`);
    await queryRunner.query(`DROP INDEX "ix_conversations_queue"`);
    await queryRunner.query(`DROP TABLE "conversations"`);
  }
}
