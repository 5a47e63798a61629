import { MigrationInterface, QueryRunner } from 'typeorm';

export class DepartmentBranch1796280649350 implements MigrationInterface {
  name = 'DepartmentBranch1796280649350';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "departments" ADD "branch_id" uuid`);
    await queryRunner.query(`CREATE INDEX "ix_departments_branch" ON "departments"  ("branch_id") `);
    await queryRunner.query(`ALTER TABLE "departments" ADD CONSTRAINT "FK_40b8818a0e3324c859199265503" FOREIGN KEY ("branch_id") REFERENCES "branches"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "departments" DROP CONSTRAINT "FK_40b8818a0e3324c859199265503"`);
    await queryRunner.query(`DROP INDEX "public"."ix_departments_branch"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP COLUMN "branch_id"`);
  }
}
