import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited from TypeORM's table rebuild of conversations: ADD COLUMN keeps the table (and the rows
// that reference it) as it is.
export class RoutingRules1796189369882 implements MigrationInterface {
  name = 'RoutingRules1796189369882';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "routing_rules" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "name" varchar(200) NOT NULL, "position" integer NOT NULL, "enabled" boolean NOT NULL DEFAULT (1), "conditions" json NOT NULL DEFAULT ('[]'), "actions" json NOT NULL DEFAULT ('{}'), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_routing_rules_order" ON "routing_rules" ("library_id", "position") `);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "routing_rule_id" varchar`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "required_skills" json`);
    await queryRunner.query(`ALTER TABLE "conversations" ADD COLUMN "sla_policy_id" varchar`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "sla_policy_id"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "required_skills"`);
    await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "routing_rule_id"`);
    await queryRunner.query(`DROP INDEX "ix_routing_rules_order"`);
    await queryRunner.query(`DROP TABLE "routing_rules"`);
  }
}
