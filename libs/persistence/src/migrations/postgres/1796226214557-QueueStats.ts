import { MigrationInterface, QueryRunner } from 'typeorm';

export class QueueStats1796226214557 implements MigrationInterface {
  name = 'QueueStats1796226214557';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "queue_stats_daily" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "department_id" uuid NOT NULL, "channel" "public"."conversation_channel" NOT NULL, "day" character varying(10) NOT NULL, "offered" integer NOT NULL DEFAULT '0', "accepted" integer NOT NULL DEFAULT '0', "rejected" integer NOT NULL DEFAULT '0', "timed_out" integer NOT NULL DEFAULT '0', "answered" integer NOT NULL DEFAULT '0', "answered_within" integer NOT NULL DEFAULT '0', "abandoned" integer NOT NULL DEFAULT '0', "short_abandoned" integer NOT NULL DEFAULT '0', "resolved" integer NOT NULL DEFAULT '0', "first_response_histogram" jsonb NOT NULL DEFAULT '{}', "resolution_histogram" jsonb NOT NULL DEFAULT '{}', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8a97a7d16ab6216a50b160d15ca" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_queue_stats_daily" ON "queue_stats_daily"  ("library_id", "department_id", "channel", "day") `);
    await queryRunner.query(`CREATE INDEX "ix_conversations_queue_stats" ON "conversations"  ("library_id", "department_id", "status", "assignee_id", "waiting_since", "channel") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_queue_stats"`);
    await queryRunner.query(`DROP INDEX "public"."uq_queue_stats_daily"`);
    await queryRunner.query(`DROP TABLE "queue_stats_daily"`);
  }
}
