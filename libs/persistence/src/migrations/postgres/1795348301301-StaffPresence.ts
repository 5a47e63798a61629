import { MigrationInterface, QueryRunner } from 'typeorm';

export class StaffPresence1795348301301 implements MigrationInterface {
  name = 'StaffPresence1795348301301';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."presence_change_from" AS ENUM('available', 'busy', 'away', 'offline')`);
    await queryRunner.query(`CREATE TYPE "public"."presence_change_to" AS ENUM('available', 'busy', 'away', 'offline')`);
    await queryRunner.query(`CREATE TABLE "presence_changes" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "from_presence" "public"."presence_change_from" NOT NULL, "to_presence" "public"."presence_change_to" NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0eada942b74547af200e382f1bc" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_presence_changes_agent" ON "presence_changes"  ("library_id", "agent_id", "created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."agent_presence" AS ENUM('available', 'busy', 'away', 'offline')`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "presence" "public"."agent_presence" NOT NULL DEFAULT 'offline'`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "presence_changed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "capacity" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "skills" jsonb NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "skills"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "capacity"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "presence_changed_at"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "presence"`);
    await queryRunner.query(`DROP TYPE "public"."agent_presence"`);
    await queryRunner.query(`DROP INDEX "public"."ix_presence_changes_agent"`);
    await queryRunner.query(`DROP TABLE "presence_changes"`);
    await queryRunner.query(`DROP TYPE "public"."presence_change_to"`);
    await queryRunner.query(`DROP TYPE "public"."presence_change_from"`);
  }
}
