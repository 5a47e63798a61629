import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited from TypeORM's two rebuilds (one for the column, one for its foreign key) to one. SQLite
// cannot add a table-level foreign key, and TypeORM only recognises those (a column-level REFERENCES
// from ADD COLUMN reads as another key, and migration:generate would rebuild again). The rebuild keeps
// the rows that reference departments (memberships, conversations, calendars): TypeORM turns foreign
// keys off before each migration's transaction, so the DROP TABLE cascades nothing. A revert runs in a
// transaction where they stay on; the desk never reverts, and the schema test reverts an empty database.
export class DepartmentBranch1796280649350 implements MigrationInterface {
  name = 'DepartmentBranch1796280649350';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_departments_library_code"`);
    await queryRunner.query(`CREATE TABLE "temporary_departments" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "description" varchar(1000), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "branch_id" varchar, CONSTRAINT "FK_747127f16eefc22f13f377329db" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_40b8818a0e3324c859199265503" FOREIGN KEY ("branch_id") REFERENCES "branches" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_departments"("id", "library_id", "code", "name", "description", "created_at") SELECT "id", "library_id", "code", "name", "description", "created_at" FROM "departments"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`ALTER TABLE "temporary_departments" RENAME TO "departments"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_departments_library_code" ON "departments" ("library_id", "code") `);
    await queryRunner.query(`CREATE INDEX "ix_departments_branch" ON "departments" ("branch_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // A new table renamed into place, as in up: renaming departments away would take the other tables' references with it.
    await queryRunner.query(`DROP INDEX "ix_departments_branch"`);
    await queryRunner.query(`DROP INDEX "uq_departments_library_code"`);
    await queryRunner.query(`CREATE TABLE "temporary_departments" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "description" varchar(1000), "created_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_747127f16eefc22f13f377329db" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_departments"("id", "library_id", "code", "name", "description", "created_at") SELECT "id", "library_id", "code", "name", "description", "created_at" FROM "departments"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`ALTER TABLE "temporary_departments" RENAME TO "departments"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_departments_library_code" ON "departments" ("library_id", "code") `);
  }
}
