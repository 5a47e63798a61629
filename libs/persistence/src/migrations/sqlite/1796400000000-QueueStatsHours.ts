import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The queue statistics' rollup keeps each local hour (the board's charts read them; a day is the sum
 * of its hours) and counts conversations that came in. Rows written before stand for hour 0 of their day.
 */
export class QueueStatsHours1796400000000 implements MigrationInterface {
  name = 'QueueStatsHours1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "queue_stats_daily" ADD COLUMN "hour" smallint NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "queue_stats_daily" ADD COLUMN "opened" integer NOT NULL DEFAULT (0)`);
    await queryRunner.query(`DROP INDEX "uq_queue_stats_daily"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_queue_stats_hour" ON "queue_stats_daily" ("library_id", "department_id", "channel", "day", "hour") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_queue_stats_hour"`);
    // The hours of a day fold back into one row before the day's key is unique again.
    await queryRunner.query(`DELETE FROM "queue_stats_daily" WHERE "hour" <> 0`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_queue_stats_daily" ON "queue_stats_daily" ("library_id", "department_id", "channel", "day") `);
    await queryRunner.query(`ALTER TABLE "queue_stats_daily" DROP COLUMN "opened"`);
    await queryRunner.query(`ALTER TABLE "queue_stats_daily" DROP COLUMN "hour"`);
  }
}
