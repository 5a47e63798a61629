import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited: TypeORM creates calendars twice to add its foreign keys; one CREATE TABLE has the keys.
export class Calendars1796186238832 implements MigrationInterface {
  name = 'Calendars1796186238832';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "calendars" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "branch_id" varchar, "department_id" varchar, "time_zone" varchar(64), "weekly" json NOT NULL DEFAULT ('[]'), "holidays" json NOT NULL DEFAULT ('[]'), "closures" json NOT NULL DEFAULT ('[]'), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_02aa9c6bc1863e6ebe8dde3a6bd" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_52427c43843bd7b4bbfd98bfa6e" FOREIGN KEY ("branch_id") REFERENCES "branches" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_adf4438a2714a8e2eee75664172" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "ix_calendars_library" ON "calendars" ("library_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_calendars_department" ON "calendars" ("department_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_calendars_branch" ON "calendars" ("branch_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_calendars_branch"`);
    await queryRunner.query(`DROP INDEX "uq_calendars_department"`);
    await queryRunner.query(`DROP INDEX "ix_calendars_library"`);
    await queryRunner.query(`DROP TABLE "calendars"`);
  }
}
