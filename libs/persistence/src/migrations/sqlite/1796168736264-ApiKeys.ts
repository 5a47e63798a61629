import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited: TypeORM rebuilds the libraries table to add a column (a copy, a DROP of the table
// every other one references, a rename) and creates api_keys twice to add its foreign keys.
// ADD COLUMN keeps the table; one CREATE TABLE has the keys.
export class ApiKeys1796168736264 implements MigrationInterface {
  name = 'ApiKeys1796168736264';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "name" varchar(100) NOT NULL, "scopes" json NOT NULL DEFAULT ('[]'), "prefix" varchar(16) NOT NULL, "key_hash" varchar(64) NOT NULL, "created_by_id" varchar, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "revoked_at" datetime, "last_used_at" datetime, CONSTRAINT "FK_985950915b1afabd8a2ef51d4ea" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_3afd227c6cb003779abe2a88b4e" FOREIGN KEY ("created_by_id") REFERENCES "agents" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "ix_api_keys_library" ON "api_keys" ("library_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys" ("prefix") `);
    await queryRunner.query(`ALTER TABLE "libraries" ADD COLUMN "allowed_origins" json NOT NULL DEFAULT ('[]')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "libraries" DROP COLUMN "allowed_origins"`);
    await queryRunner.query(`DROP INDEX "uq_api_keys_prefix"`);
    await queryRunner.query(`DROP INDEX "ix_api_keys_library"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
