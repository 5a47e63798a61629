import { MigrationInterface, QueryRunner } from 'typeorm';

export class StaffPresence1795348301301 implements MigrationInterface {
  name = 'StaffPresence1795348301301';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "presence_changes" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "agent_id" varchar NOT NULL, "from_presence" varchar CHECK( "from_presence" IN ('available','busy','away','offline') ) NOT NULL, "to_presence" varchar CHECK( "to_presence" IN ('available','busy','away','offline') ) NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_presence_changes_agent" ON "presence_changes" ("library_id", "agent_id", "created_at") `);
    await queryRunner.query(`DROP INDEX "uq_agents_email"`);
    await queryRunner.query(`CREATE TABLE "temporary_agents" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "email" varchar(254) NOT NULL, "display_name" varchar(200) NOT NULL, "role" varchar CHECK( "role" IN ('agent','supervisor','administrator') ) NOT NULL DEFAULT ('agent'), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "last_login_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "failed_logins" integer NOT NULL DEFAULT (0), "locked_until" datetime, "presence" varchar CHECK( "presence" IN ('available','busy','away','offline') ) NOT NULL DEFAULT ('offline'), "presence_changed_at" datetime, "capacity" json NOT NULL DEFAULT ('{}'), "skills" json NOT NULL DEFAULT ('{}'), CONSTRAINT "FK_6b156d8bba7a81ed6a0f62e567d" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_agents"("id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at", "failed_logins", "locked_until") SELECT "id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at", "failed_logins", "locked_until" FROM "agents"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`ALTER TABLE "temporary_agents" RENAME TO "agents"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents" ("email") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_agents_email"`);
    await queryRunner.query(`ALTER TABLE "agents" RENAME TO "temporary_agents"`);
    await queryRunner.query(`CREATE TABLE "agents" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "email" varchar(254) NOT NULL, "display_name" varchar(200) NOT NULL, "role" varchar CHECK( "role" IN ('agent','supervisor','administrator') ) NOT NULL DEFAULT ('agent'), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "last_login_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "failed_logins" integer NOT NULL DEFAULT (0), "locked_until" datetime, CONSTRAINT "FK_6b156d8bba7a81ed6a0f62e567d" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "agents"("id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at", "failed_logins", "locked_until") SELECT "id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at", "failed_logins", "locked_until" FROM "temporary_agents"`);
    await queryRunner.query(`DROP TABLE "temporary_agents"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents" ("email") `);
    await queryRunner.query(`DROP INDEX "ix_presence_changes_agent"`);
    await queryRunner.query(`DROP TABLE "presence_changes"`);
  }
}
