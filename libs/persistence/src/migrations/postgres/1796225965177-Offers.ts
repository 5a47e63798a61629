import { MigrationInterface, QueryRunner } from 'typeorm';

export class Offers1796225965177 implements MigrationInterface {
  name = 'Offers1796225965177';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."offer_mode" AS ENUM('offer', 'broadcast', 'manual')`);
    await queryRunner.query(`CREATE TYPE "public"."offer_status" AS ENUM('pending', 'accepted', 'ended')`);
    await queryRunner.query(`CREATE TYPE "public"."offer_end_reason" AS ENUM('rejected', 'timed_out', 'agent_unavailable', 'taken_elsewhere', 'conversation_changed')`);
    await queryRunner.query(`CREATE TABLE "offers" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "conversation_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "department_id" uuid NOT NULL, "channel" "public"."conversation_channel" NOT NULL, "mode" "public"."offer_mode" NOT NULL, "status" "public"."offer_status" NOT NULL DEFAULT 'pending', "end_reason" "public"."offer_end_reason", "offered_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4c88e956195bba85977da21b8f4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_offers_one_pending" ON "offers"  ("conversation_id") WHERE status = 'pending' AND mode = 'offer'`);
    await queryRunner.query(`CREATE INDEX "ix_offers_pending" ON "offers"  ("status", "expires_at") `);
    await queryRunner.query(`CREATE INDEX "ix_offers_conversation" ON "offers"  ("conversation_id", "status") `);
    await queryRunner.query(`CREATE INDEX "ix_offers_agent" ON "offers"  ("library_id", "agent_id", "status") `);
    await queryRunner.query(`CREATE TYPE "public"."offer_agent_order" AS ENUM('longest_idle', 'least_busy', 'round_robin')`);
    await queryRunner.query(`CREATE TYPE "public"."offer_overflow_action" AS ENUM('offer', 'move')`);
    await queryRunner.query(`CREATE TABLE "department_offer_settings" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "mode" "public"."offer_mode" NOT NULL DEFAULT 'offer', "agent_order" "public"."offer_agent_order" NOT NULL DEFAULT 'longest_idle', "timeouts" jsonb NOT NULL DEFAULT '{}', "overflow_after_seconds" integer, "overflow_department_id" uuid, "overflow_action" "public"."offer_overflow_action", "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d5c33fd843aa2f8440dbe870cb3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "queued_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "offers" ADD CONSTRAINT "FK_8ed6c71971bab550f5dbc0fa1c9" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "offers" ADD CONSTRAINT "FK_ef45811e760e91d9a7c6b11cb95" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "offers" ADD CONSTRAINT "FK_08cbb179f4f37f4e990fd5b97ae" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "offers" ADD CONSTRAINT "FK_d7eddeccb65eeaa36413f17f37d" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "department_offer_settings" ADD CONSTRAINT "FK_96f0c1bbff142c0480332b67f62" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "department_offer_settings" ADD CONSTRAINT "FK_d5c33fd843aa2f8440dbe870cb3" FOREIGN KEY ("id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "department_offer_settings" ADD CONSTRAINT "FK_6104fc5cdf209698dc7b9829bf7" FOREIGN KEY ("overflow_department_id") REFERENCES "departments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "department_offer_settings" DROP CONSTRAINT "FK_6104fc5cdf209698dc7b9829bf7"`);
    await queryRunner.query(`ALTER TABLE "department_offer_settings" DROP CONSTRAINT "FK_d5c33fd843aa2f8440dbe870cb3"`);
    await queryRunner.query(`ALTER TABLE "department_offer_settings" DROP CONSTRAINT "FK_96f0c1bbff142c0480332b67f62"`);
    await queryRunner.query(`ALTER TABLE "offers" DROP CONSTRAINT "FK_d7eddeccb65eeaa36413f17f37d"`);
    await queryRunner.query(`ALTER TABLE "offers" DROP CONSTRAINT "FK_08cbb179f4f37f4e990fd5b97ae"`);
    await queryRunner.query(`ALTER TABLE "offers" DROP CONSTRAINT "FK_ef45811e760e91d9a7c6b11cb95"`);
    await queryRunner.query(`ALTER TABLE "offers" DROP CONSTRAINT "FK_8ed6c71971bab550f5dbc0fa1c9"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "queued_at"`);
    await queryRunner.query(`DROP TABLE "department_offer_settings"`);
    await queryRunner.query(`DROP TYPE "public"."offer_overflow_action"`);
    await queryRunner.query(`DROP TYPE "public"."offer_agent_order"`);
    await queryRunner.query(`DROP INDEX "public"."ix_offers_agent"`);
    await queryRunner.query(`DROP INDEX "public"."ix_offers_conversation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_offers_pending"`);
    await queryRunner.query(`DROP INDEX "public"."uq_offers_one_pending"`);
    await queryRunner.query(`DROP TABLE "offers"`);
    await queryRunner.query(`DROP TYPE "public"."offer_end_reason"`);
    await queryRunner.query(`DROP TYPE "public"."offer_status"`);
    await queryRunner.query(`DROP TYPE "public"."offer_mode"`);
  }
}
