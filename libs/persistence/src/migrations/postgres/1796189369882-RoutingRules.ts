import { MigrationInterface, QueryRunner } from 'typeorm';

export class RoutingRules1796189369882 implements MigrationInterface {
  name = 'RoutingRules1796189369882';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "routing_rules" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "position" integer NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "conditions" jsonb NOT NULL DEFAULT '[]', "actions" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b744c5cc71053ea4d3fc8a860c2" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_routing_rules_order" ON "routing_rules"  ("library_id", "position") `);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "routing_rule_id" uuid`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "required_skills" jsonb`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD "sla_policy_id" uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "sla_policy_id"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "required_skills"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "routing_rule_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_routing_rules_order"`);
    await queryRunner.query(`DROP TABLE "routing_rules"`);
  }
}
