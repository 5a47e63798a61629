import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeys1796168736264 implements MigrationInterface {
  name = 'ApiKeys1796168736264';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "scopes" jsonb NOT NULL DEFAULT '[]', "prefix" character varying(16) NOT NULL, "key_hash" character varying(64) NOT NULL, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_api_keys_library" ON "api_keys"  ("library_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys"  ("prefix") `);
    await queryRunner.query(`ALTER TABLE "libraries" ADD "allowed_origins" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_985950915b1afabd8a2ef51d4ea" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_3afd227c6cb003779abe2a88b4e" FOREIGN KEY ("created_by_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_3afd227c6cb003779abe2a88b4e"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_985950915b1afabd8a2ef51d4ea"`);
    await queryRunner.query(`ALTER TABLE "libraries" DROP COLUMN "allowed_origins"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_keys_library"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
