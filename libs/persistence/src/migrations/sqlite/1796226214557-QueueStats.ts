import { MigrationInterface, QueryRunner } from 'typeorm';

export class QueueStats1796226214557 implements MigrationInterface {
  name = 'QueueStats1796226214557';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "queue_stats_daily" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "department_id" varchar NOT NULL, "channel" varchar CHECK( "channel" IN ('email','sms','voice','chat','video','api') ) NOT NULL, "day" varchar(10) NOT NULL, "offered" integer NOT NULL DEFAULT (0), "accepted" integer NOT NULL DEFAULT (0), "rejected" integer NOT NULL DEFAULT (0), "timed_out" integer NOT NULL DEFAULT (0), "answered" integer NOT NULL DEFAULT (0), "answered_within" integer NOT NULL DEFAULT (0), "abandoned" integer NOT NULL DEFAULT (0), "short_abandoned" integer NOT NULL DEFAULT (0), "resolved" integer NOT NULL DEFAULT (0), "first_response_histogram" json NOT NULL DEFAULT ('{}'), "resolution_histogram" json NOT NULL DEFAULT ('{}'), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_queue_stats_daily" ON "queue_stats_daily" ("library_id", "department_id", "channel", "day") `);
    await queryRunner.query(`CREATE INDEX "ix_conversations_queue_stats" ON "conversations" ("library_id", "department_id", "status", "assignee_id", "waiting_since", "channel") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_conversations_queue_stats"`);
    await queryRunner.query(`DROP INDEX "uq_queue_stats_daily"`);
    await queryRunner.query(`DROP TABLE "queue_stats_daily"`);
  }
}
