import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentTokenVersion1796168534570 implements MigrationInterface {
  name = 'AgentTokenVersion1796168534570';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" ADD "token_version" integer NOT NULL DEFAULT '0'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "token_version"`);
  }
}
