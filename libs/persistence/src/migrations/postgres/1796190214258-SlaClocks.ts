import { MigrationInterface, QueryRunner } from 'typeorm';

export class SlaClocks1796190214258 implements MigrationInterface {
  name = 'SlaClocks1796190214258';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sla_policies" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "department_id" uuid, "priority" "public"."conversation_priority", "channel" "public"."conversation_channel", "first_response_minutes" integer, "next_response_minutes" integer, "resolution_minutes" integer, "business_hours" boolean NOT NULL DEFAULT true, "warn_at" real NOT NULL DEFAULT '0.8', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_41b6803cef982534243a67b6302" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_sla_policies_library" ON "sla_policies"  ("library_id") `);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "sla_applied_policy_id" uuid`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "first_response_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "next_response_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "resolution_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "first_response_warned_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "next_response_warned_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "resolution_warned_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "first_response_breached_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "next_response_breached_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "resolution_breached_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "first_response_business_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "first_response_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "resolution_business_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "resolution_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "sla_next_check_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "sla_clock" jsonb`);
    await queryRunner.query(`CREATE INDEX "ix_conversations_sla_check" ON "conversations"  ("sla_next_check_at") `);
    await queryRunner.query(`ALTER TABLE "sla_policies" ADD CONSTRAINT "FK_d7c1722c935811490e943677a70" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "sla_policies" ADD CONSTRAINT "FK_aeeee1c86015e84d01822605216" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sla_policies" DROP CONSTRAINT "FK_aeeee1c86015e84d01822605216"`);
    await queryRunner.query(`ALTER TABLE "sla_policies" DROP CONSTRAINT "FK_d7c1722c935811490e943677a70"`);
    await queryRunner.query(`DROP INDEX "public"."ix_conversations_sla_check"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "sla_clock"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "sla_next_check_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "resolution_ms"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "resolution_business_ms"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "first_response_ms"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "first_response_business_ms"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "resolution_breached_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "next_response_breached_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "first_response_breached_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "resolution_warned_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "next_response_warned_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "first_response_warned_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "resolution_due_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "next_response_due_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "first_response_due_at"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "sla_applied_policy_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sla_policies_library"`);
    await queryRunner.query(`DROP TABLE "sla_policies"`);
  }
}
