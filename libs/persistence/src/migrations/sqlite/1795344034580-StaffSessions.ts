import { MigrationInterface, QueryRunner } from 'typeorm';

export class StaffSessions1795344034580 implements MigrationInterface {
  name = 'StaffSessions1795344034580';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "refresh_tokens" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "agent_id" varchar NOT NULL, "family_id" varchar NOT NULL, "token_hash" varchar(64) NOT NULL, "expires_at" datetime NOT NULL, "used_at" datetime, "revoked_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_refresh_tokens_family" ON "refresh_tokens" ("family_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens" ("token_hash") `);
    await queryRunner.query(`DROP INDEX "uq_agents_email"`);
    await queryRunner.query(`CREATE TABLE "temporary_agents" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "email" varchar(254) NOT NULL, "display_name" varchar(200) NOT NULL, "role" varchar CHECK( "role" IN ('agent','supervisor','administrator') ) NOT NULL DEFAULT ('agent'), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "last_login_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "failed_logins" integer NOT NULL DEFAULT (0), "locked_until" datetime, CONSTRAINT "FK_6b156d8bba7a81ed6a0f62e567d" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_agents"("id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at") SELECT "id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at" FROM "agents"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`ALTER TABLE "temporary_agents" RENAME TO "agents"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents" ("email") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_agents_email"`);
    await queryRunner.query(`ALTER TABLE "agents" RENAME TO "temporary_agents"`);
    await queryRunner.query(`CREATE TABLE "agents" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "email" varchar(254) NOT NULL, "display_name" varchar(200) NOT NULL, "role" varchar CHECK( "role" IN ('agent','supervisor','administrator') ) NOT NULL DEFAULT ('agent'), "password_hash" varchar(255), "active" boolean NOT NULL DEFAULT (1), "last_login_at" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_6b156d8bba7a81ed6a0f62e567d" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "agents"("id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at") SELECT "id", "library_id", "email", "display_name", "role", "password_hash", "active", "last_login_at", "created_at", "updated_at" FROM "temporary_agents"`);
    await queryRunner.query(`DROP TABLE "temporary_agents"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents" ("email") `);
    await queryRunner.query(`DROP INDEX "uq_refresh_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "ix_refresh_tokens_family"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
  }
}
