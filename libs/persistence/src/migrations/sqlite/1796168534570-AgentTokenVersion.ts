import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited from TypeORM's table rebuild: ADD COLUMN keeps the table (and the rows of the tables
// that reference it) as it is.
export class AgentTokenVersion1796168534570 implements MigrationInterface {
  name = 'AgentTokenVersion1796168534570';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" ADD COLUMN "token_version" integer NOT NULL DEFAULT (0)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "token_version"`);
  }
}
