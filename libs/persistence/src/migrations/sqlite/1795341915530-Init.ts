import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795341915530 implements MigrationInterface {
  name = 'Init1795341915530';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "libraries" ("id" varchar PRIMARY KEY NOT NULL, "slug" varchar(64) NOT NULL, "name" varchar(200) NOT NULL, "default_country" varchar(2) NOT NULL, "default_language" varchar(35) NOT NULL, "time_zone" varchar(64) NOT NULL, "keep_history_by_default" boolean NOT NULL DEFAULT (0), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_libraries_slug" ON "libraries" ("slug") `);
    await queryRunner.query(`CREATE TABLE "branches" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "time_zone" varchar(64) NOT NULL, "address" varchar(500), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_branches_library_code" ON "branches" ("library_id", "code") `);
    await queryRunner.query(`CREATE TABLE "agents" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "email" varchar(254) NOT NULL, "display_name" varchar(200) NOT NULL, "role" varchar CHECK( "role" IN ('agent','supervisor','administrator') ) NOT NULL DEFAULT ('agent'), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "last_login_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents" ("email") `);
    await queryRunner.query(`CREATE TABLE "departments" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "description" varchar(1000), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_departments_library_code" ON "departments" ("library_id", "code") `);
    await queryRunner.query(`CREATE TABLE "agent_departments" ("agent_id" varchar NOT NULL, "department_id" varchar NOT NULL, "library_id" varchar NOT NULL, PRIMARY KEY ("agent_id", "department_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_agent_departments_department" ON "agent_departments" ("department_id") `);
    await queryRunner.query(`CREATE TABLE "readers" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "display_name" varchar(200), "preferred_language" varchar(35), "card_number" varchar(64), "ils_id" varchar(128), "category" varchar(64), "home_branch_id" varchar, "keep_history" boolean NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_readers_library_card" ON "readers" ("library_id", "card_number") `);
    await queryRunner.query(`DROP INDEX "uq_branches_library_code"`);
    await queryRunner.query(`CREATE TABLE "temporary_branches" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "time_zone" varchar(64) NOT NULL, "address" varchar(500), "created_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_5c674c16556ea226ba53e11b8b9" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_branches"("id", "library_id", "code", "name", "time_zone", "address", "created_at") SELECT "id", "library_id", "code", "name", "time_zone", "address", "created_at" FROM "branches"`);
    await queryRunner.query(`DROP TABLE "branches"`);
    await queryRunner.query(`ALTER TABLE "temporary_branches" RENAME TO "branches"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_branches_library_code" ON "branches" ("library_id", "code") `);
    await queryRunner.query(`DROP INDEX "uq_agents_email"`);
    await queryRunner.query(`CREATE TABLE "temporary_agents" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "email" varchar(254) NOT NULL, "display_name" varchar(200) NOT NULL, "role" varchar CHECK( "role" IN ('agent','supervisor','administrator') ) NOT NULL DEFAULT ('agent'), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "last_login_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_6b156d8bba7a81ed6a0f62e567d" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_agents"("id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at") SELECT "id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at" FROM "agents"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`ALTER TABLE "temporary_agents" RENAME TO "agents"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents" ("email") `);
    await queryRunner.query(`DROP INDEX "uq_departments_library_code"`);
    await queryRunner.query(`CREATE TABLE "temporary_departments" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "description" varchar(1000), "created_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_747127f16eefc22f13f377329db" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_departments"("id", "library_id", "code", "name", "description", "created_at") SELECT "id", "library_id", "code", "name", "description", "created_at" FROM "departments"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`ALTER TABLE "temporary_departments" RENAME TO "departments"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_departments_library_code" ON "departments" ("library_id", "code") `);
    await queryRunner.query(`DROP INDEX "ix_agent_departments_department"`);
    await queryRunner.query(`CREATE TABLE "temporary_agent_departments" ("agent_id" varchar NOT NULL, "department_id" varchar NOT NULL, "library_id" varchar NOT NULL, CONSTRAINT "FK_e6a52eeef15c47f9e160d6743ff" FOREIGN KEY ("agent_id") REFERENCES "agents" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_d63b9551d8f3f0ea0b13714b6e9" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("agent_id", "department_id"))`);
    await queryRunner.query(`INSERT INTO "temporary_agent_departments"("agent_id", "department_id", "library_id") SELECT "agent_id", "department_id", "library_id" FROM "agent_departments"`);
    await queryRunner.query(`DROP TABLE "agent_departments"`);
    await queryRunner.query(`ALTER TABLE "temporary_agent_departments" RENAME TO "agent_departments"`);
    await queryRunner.query(`CREATE INDEX "ix_agent_departments_department" ON "agent_departments" ("department_id") `);
    await queryRunner.query(`DROP INDEX "uq_readers_library_card"`);
    await queryRunner.query(`CREATE TABLE "temporary_readers" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "display_name" varchar(200), "preferred_language" varchar(35), "card_number" varchar(64), "ils_id" varchar(128), "category" varchar(64), "home_branch_id" varchar, "keep_history" boolean NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_b7220b19b0af3ebd76762e10b6e" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_fcd496fdb16cdd47cef32e0c3d3" FOREIGN KEY ("home_branch_id") REFERENCES "branches" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_readers"("id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at") SELECT "id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at" FROM "readers"`);
    await queryRunner.query(`DROP TABLE "readers"`);
    await queryRunner.query(`ALTER TABLE "temporary_readers" RENAME TO "readers"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_readers_library_card" ON "readers" ("library_id", "card_number") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_readers_library_card"`);
    await queryRunner.query(`ALTER TABLE "readers" RENAME TO "temporary_readers"`);
    await queryRunner.query(`CREATE TABLE "readers" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "display_name" varchar(200), "preferred_language" varchar(35), "card_number" varchar(64), "ils_id" varchar(128), "category" varchar(64), "home_branch_id" varchar, "keep_history" boolean NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "readers"("id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at") SELECT "id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at" FROM "temporary_readers"`);
    await queryRunner.query(`DROP TABLE "temporary_readers"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_readers_library_card" ON "readers" ("library_id", "card_number") `);
    await queryRunner.query(`DROP INDEX "ix_agent_departments_department"`);
    await queryRunner.query(`ALTER TABLE "agent_departments" RENAME TO "temporary_agent_departments"`);
    await queryRunner.query(`CREATE TABLE "agent_departments" ("agent_id" varchar NOT NULL, "department_id" varchar NOT NULL, "library_id" varchar NOT NULL, PRIMARY KEY ("agent_id", "department_id"))`);
    await queryRunner.query(`INSERT INTO "agent_departments"("agent_id", "department_id", "library_id") SELECT "agent_id", "department_id", "library_id" FROM "temporary_agent_departments"`);
    await queryRunner.query(`DROP TABLE "temporary_agent_departments"`);
    await queryRunner.query(`CREATE INDEX "ix_agent_departments_department" ON "agent_departments" ("department_id") `);
    await queryRunner.query(`DROP INDEX "uq_departments_library_code"`);
    await queryRunner.query(`ALTER TABLE "departments" RENAME TO "temporary_departments"`);
    await queryRunner.query(`CREATE TABLE "departments" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "description" varchar(1000), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "departments"("id", "library_id", "code", "name", "description", "created_at") SELECT "id", "library_id", "code", "name", "description", "created_at" FROM "temporary_departments"`);
    await queryRunner.query(`DROP TABLE "temporary_departments"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_departments_library_code" ON "departments" ("library_id", "code") `);
    await queryRunner.query(`DROP INDEX "uq_agents_email"`);
    await queryRunner.query(`ALTER TABLE "agents" RENAME TO "temporary_agents"`);
    await queryRunner.query(`CREATE TABLE "agents" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "email" varchar(254) NOT NULL, "display_name" varchar(200) NOT NULL, "role" varchar CHECK( "role" IN ('agent','supervisor','administrator') ) NOT NULL DEFAULT ('agent'), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "last_login_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "agents"("id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at") SELECT "id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at" FROM "temporary_agents"`);
    await queryRunner.query(`DROP TABLE "temporary_agents"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents" ("email") `);
    await queryRunner.query(`DROP INDEX "uq_branches_library_code"`);
    await queryRunner.query(`ALTER TABLE "branches" RENAME TO "temporary_branches"`);
    await queryRunner.query(`CREATE TABLE "branches" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "code" varchar(32) NOT NULL, "name" varchar(200) NOT NULL, "time_zone" varchar(64) NOT NULL, "address" varchar(500), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "branches"("id", "library_id", "code", "name", "time_zone", "address", "created_at") SELECT "id", "library_id", "code", "name", "time_zone", "address", "created_at" FROM "temporary_branches"`);
    await queryRunner.query(`DROP TABLE "temporary_branches"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_branches_library_code" ON "branches" ("library_id", "code") `);
    await queryRunner.query(`DROP INDEX "uq_readers_library_card"`);
    await queryRunner.query(`DROP TABLE "readers"`);
    await queryRunner.query(`DROP INDEX "ix_agent_departments_department"`);
    await queryRunner.query(`DROP TABLE "agent_departments"`);
    await queryRunner.query(`DROP INDEX "uq_departments_library_code"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`DROP INDEX "uq_agents_email"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`DROP INDEX "uq_branches_library_code"`);
    await queryRunner.query(`DROP TABLE "branches"`);
    await queryRunner.query(`DROP INDEX "uq_libraries_slug"`);
    await queryRunner.query(`DROP TABLE "libraries"`);
  }
}
