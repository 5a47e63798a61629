import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited: TypeORM rebuilds conversations (and creates sla_policies twice for its foreign keys);
// ADD COLUMN keeps the table and one CREATE TABLE has the keys.
export class SlaClocks1796190214258 implements MigrationInterface {
  name = 'SlaClocks1796190214258';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sla_policies" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "name" varchar(200) NOT NULL, "department_id" varchar, "priority" varchar CHECK( "priority" IN ('low','normal','high','urgent') ), "channel" varchar CHECK( "channel" IN ('email','sms','voice','chat','video','api') ), "first_response_minutes" integer, "next_response_minutes" integer, "resolution_minutes" integer, "business_hours" boolean NOT NULL DEFAULT (1), "warn_at" real NOT NULL DEFAULT (0.8), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_d7c1722c935811490e943677a70" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_aeeee1c86015e84d01822605216" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "ix_sla_policies_library" ON "sla_policies" ("library_id") `);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "sla_applied_policy_id" varchar`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "first_response_due_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "next_response_due_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "resolution_due_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "first_response_warned_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "next_response_warned_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "resolution_warned_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "first_response_breached_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "next_response_breached_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "resolution_breached_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "first_response_business_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "first_response_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "resolution_business_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "resolution_ms" bigint`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "sla_next_check_at" datetime`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "sla_clock" json`);
    await queryRunner.query(`CREATE INDEX "ix_conversations_sla_check" ON "conversations" ("sla_next_check_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_conversations_sla_check"`);
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
    await queryRunner.query(`DROP INDEX "ix_sla_policies_library"`);
    await queryRunner.query(`DROP TABLE "sla_policies"`);
  }
}
