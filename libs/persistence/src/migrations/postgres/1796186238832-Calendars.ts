import { MigrationInterface, QueryRunner } from 'typeorm';

export class Calendars1796186238832 implements MigrationInterface {
  name = 'Calendars1796186238832';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "calendars" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "branch_id" uuid, "department_id" uuid, "time_zone" character varying(64), "weekly" jsonb NOT NULL DEFAULT '[]', "holidays" jsonb NOT NULL DEFAULT '[]', "closures" jsonb NOT NULL DEFAULT '[]', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_90dc0330e8ec9028e23c290dee8" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_calendars_library" ON "calendars"  ("library_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_calendars_department" ON "calendars"  ("department_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_calendars_branch" ON "calendars"  ("branch_id") `);
    await queryRunner.query(`ALTER TABLE "calendars" ADD CONSTRAINT "FK_02aa9c6bc1863e6ebe8dde3a6bd" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "calendars" ADD CONSTRAINT "FK_52427c43843bd7b4bbfd98bfa6e" FOREIGN KEY ("branch_id") REFERENCES "branches"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "calendars" ADD CONSTRAINT "FK_adf4438a2714a8e2eee75664172" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "calendars" DROP CONSTRAINT "FK_adf4438a2714a8e2eee75664172"`);
    await queryRunner.query(`ALTER TABLE "calendars" DROP CONSTRAINT "FK_52427c43843bd7b4bbfd98bfa6e"`);
    await queryRunner.query(`ALTER TABLE "calendars" DROP CONSTRAINT "FK_02aa9c6bc1863e6ebe8dde3a6bd"`);
    await queryRunner.query(`DROP INDEX "public"."uq_calendars_branch"`);
    await queryRunner.query(`DROP INDEX "public"."uq_calendars_department"`);
    await queryRunner.query(`DROP INDEX "public"."ix_calendars_library"`);
    await queryRunner.query(`DROP TABLE "calendars"`);
  }
}
