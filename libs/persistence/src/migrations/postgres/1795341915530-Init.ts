import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795341915530 implements MigrationInterface {
  name = 'Init1795341915530';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "libraries" ("id" uuid NOT NULL, "slug" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "default_country" character varying(2) NOT NULL, "default_language" character varying(35) NOT NULL, "time_zone" character varying(64) NOT NULL, "keep_history_by_default" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_505fedfcad00a09b3734b4223de" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_libraries_slug" ON "libraries"  ("slug") `);
    await queryRunner.query(`CREATE TABLE "branches" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "code" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "time_zone" character varying(64) NOT NULL, "address" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7f37d3b42defea97f1df0d19535" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_branches_library_code" ON "branches"  ("library_id", "code") `);
    await queryRunner.query(`CREATE TYPE "public"."agent_role" AS ENUM('agent', 'supervisor', 'administrator')`);
    await queryRunner.query(`CREATE TABLE "agents" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "email" character varying(254) NOT NULL, "display_name" character varying(200) NOT NULL, "role" "public"."agent_role" NOT NULL DEFAULT 'agent', "password_hash" character varying(255), "active" boolean NOT NULL DEFAULT true, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_agents_email" ON "agents"  ("email") `);
    await queryRunner.query(`CREATE TABLE "departments" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "code" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "description" character varying(1000), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_839517a681a86bb84cbcc6a1e9d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_departments_library_code" ON "departments"  ("library_id", "code") `);
    await queryRunner.query(`CREATE TABLE "agent_departments" ("agent_id" uuid NOT NULL, "department_id" uuid NOT NULL, "library_id" uuid NOT NULL, CONSTRAINT "PK_14716ec4343e0ef8c73dd2cd3f4" PRIMARY KEY ("agent_id", "department_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_agent_departments_department" ON "agent_departments"  ("department_id") `);
    await queryRunner.query(`CREATE TABLE "readers" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "display_name" character varying(200), "preferred_language" character varying(35), "card_number" character varying(64), "ils_id" character varying(128), "category" character varying(64), "home_branch_id" uuid, "keep_history" boolean NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4564309186c3e23496d65a80b4d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_readers_library_card" ON "readers"  ("library_id", "card_number") `);
    await queryRunner.query(`ALTER TABLE "branches" ADD CONSTRAINT "FK_5c674c16556ea226ba53e11b8b9" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agents" ADD CONSTRAINT "FK_6b156d8bba7a81ed6a0f62e567d" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "departments" ADD CONSTRAINT "FK_747127f16eefc22f13f377329db" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_departments" ADD CONSTRAINT "FK_e6a52eeef15c47f9e160d6743ff" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "agent_departments" ADD CONSTRAINT "FK_d63b9551d8f3f0ea0b13714b6e9" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "readers" ADD CONSTRAINT "FK_b7220b19b0af3ebd76762e10b6e" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "readers" ADD CONSTRAINT "FK_fcd496fdb16cdd47cef32e0c3d3" FOREIGN KEY ("home_branch_id") REFERENCES "branches"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "readers" DROP CONSTRAINT "FK_fcd496fdb16cdd47cef32e0c3d3"`);
    await queryRunner.query(`ALTER TABLE "readers" DROP CONSTRAINT "FK_b7220b19b0af3ebd76762e10b6e"`);
    await queryRunner.query(`ALTER TABLE "agent_departments" DROP CONSTRAINT "FK_d63b9551d8f3f0ea0b13714b6e9"`);
    await queryRunner.query(`ALTER TABLE "agent_departments" DROP CONSTRAINT "FK_e6a52eeef15c47f9e160d6743ff"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP CONSTRAINT "FK_747127f16eefc22f13f377329db"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP CONSTRAINT "FK_6b156d8bba7a81ed6a0f62e567d"`);
    await queryRunner.query(`ALTER TABLE "branches" DROP CONSTRAINT "FK_5c674c16556ea226ba53e11b8b9"`);
    await queryRunner.query(`DROP INDEX "public"."uq_readers_library_card"`);
    await queryRunner.query(`DROP TABLE "readers"`);
    await queryRunner.query(`DROP INDEX "public"."ix_agent_departments_department"`);
    await queryRunner.query(`DROP TABLE "agent_departments"`);
    await queryRunner.query(`DROP INDEX "public"."uq_departments_library_code"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`DROP INDEX "public"."uq_agents_email"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`DROP TYPE "public"."agent_role"`);
    await queryRunner.query(`DROP INDEX "public"."uq_branches_library_code"`);
    await queryRunner.query(`DROP TABLE "branches"`);
    await queryRunner.query(`DROP INDEX "public"."uq_libraries_slug"`);
    await queryRunner.query(`DROP TABLE "libraries"`);
  }
}
