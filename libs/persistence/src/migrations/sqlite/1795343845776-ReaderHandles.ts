import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReaderHandles1795343845776 implements MigrationInterface {
  name = 'ReaderHandles1795343845776';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "reader_events" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "reader_id" varchar NOT NULL, "type" varchar CHECK( "type" IN ('merged','absorbed','handle_unlinked') ) NOT NULL, "actor_agent_id" varchar, "data" json NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_reader_events_reader" ON "reader_events" ("library_id", "reader_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "reader_handles" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "reader_id" varchar NOT NULL, "kind" varchar CHECK( "kind" IN ('email','phone','card','chat') ) NOT NULL, "value" varchar(320) NOT NULL, "raw" varchar(320) NOT NULL, "valid" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`CREATE INDEX "ix_reader_handles_reader" ON "reader_handles" ("reader_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_reader_handles_value" ON "reader_handles" ("library_id", "kind", "value") `);
    await queryRunner.query(`DROP INDEX "uq_readers_library_card"`);
    await queryRunner.query(`CREATE TABLE "temporary_readers" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "display_name" varchar(200), "preferred_language" varchar(35), "card_number" varchar(64), "ils_id" varchar(128), "category" varchar(64), "home_branch_id" varchar, "keep_history" boolean NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "merged_into_id" varchar, CONSTRAINT "FK_fcd496fdb16cdd47cef32e0c3d3" FOREIGN KEY ("home_branch_id") REFERENCES "branches" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_b7220b19b0af3ebd76762e10b6e" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_readers"("id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at") SELECT "id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at" FROM "readers"`);
    await queryRunner.query(`DROP TABLE "readers"`);
    await queryRunner.query(`ALTER TABLE "temporary_readers" RENAME TO "readers"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_readers_library_card" ON "readers" ("library_id", "card_number") `);
    await queryRunner.query(`DROP INDEX "ix_reader_handles_reader"`);
    await queryRunner.query(`DROP INDEX "uq_reader_handles_value"`);
    await queryRunner.query(`CREATE TABLE "temporary_reader_handles" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "reader_id" varchar NOT NULL, "kind" varchar CHECK( "kind" IN ('email','phone','card','chat') ) NOT NULL, "value" varchar(320) NOT NULL, "raw" varchar(320) NOT NULL, "valid" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_bee62239e55387c49ae50be5606" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_c5dcec98b9b5425e262056aa826" FOREIGN KEY ("reader_id") REFERENCES "readers" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_reader_handles"("id", "library_id", "reader_id", "kind", "value", "raw", "valid", "created_at") SELECT "id", "library_id", "reader_id", "kind", "value", "raw", "valid", "created_at" FROM "reader_handles"`);
    await queryRunner.query(`DROP TABLE "reader_handles"`);
    await queryRunner.query(`ALTER TABLE "temporary_reader_handles" RENAME TO "reader_handles"`);
    await queryRunner.query(`CREATE INDEX "ix_reader_handles_reader" ON "reader_handles" ("reader_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_reader_handles_value" ON "reader_handles" ("library_id", "kind", "value") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_reader_handles_value"`);
    await queryRunner.query(`DROP INDEX "ix_reader_handles_reader"`);
    await queryRunner.query(`ALTER TABLE "reader_handles" RENAME TO "temporary_reader_handles"`);
    await queryRunner.query(`CREATE TABLE "reader_handles" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "reader_id" varchar NOT NULL, "kind" varchar CHECK( "kind" IN ('email','phone','card','chat') ) NOT NULL, "value" varchar(320) NOT NULL, "raw" varchar(320) NOT NULL, "valid" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')))`);
    await queryRunner.query(`INSERT INTO "reader_handles"("id", "library_id", "reader_id", "kind", "value", "raw", "valid", "created_at") SELECT "id", "library_id", "reader_id", "kind", "value", "raw", "valid", "created_at" FROM "temporary_reader_handles"`);
    await queryRunner.query(`DROP TABLE "temporary_reader_handles"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_reader_handles_value" ON "reader_handles" ("library_id", "kind", "value") `);
    await queryRunner.query(`CREATE INDEX "ix_reader_handles_reader" ON "reader_handles" ("reader_id") `);
    await queryRunner.query(`DROP INDEX "uq_readers_library_card"`);
    await queryRunner.query(`ALTER TABLE "readers" RENAME TO "temporary_readers"`);
    await queryRunner.query(`CREATE TABLE "readers" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "display_name" varchar(200), "preferred_language" varchar(35), "card_number" varchar(64), "ils_id" varchar(128), "category" varchar(64), "home_branch_id" varchar, "keep_history" boolean NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_fcd496fdb16cdd47cef32e0c3d3" FOREIGN KEY ("home_branch_id") REFERENCES "branches" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_b7220b19b0af3ebd76762e10b6e" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "readers"("id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at") SELECT "id", "library_id", "display_name", "preferred_language", "card_number", "ils_id", "category", "home_branch_id", "keep_history", "created_at", "updated_at" FROM "temporary_readers"`);
    await queryRunner.query(`DROP TABLE "temporary_readers"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_readers_library_card" ON "readers" ("library_id", "card_number") `);
    await queryRunner.query(`DROP INDEX "uq_reader_handles_value"`);
    await queryRunner.query(`DROP INDEX "ix_reader_handles_reader"`);
    await queryRunner.query(`DROP TABLE "reader_handles"`);
    await queryRunner.query(`DROP INDEX "ix_reader_events_reader"`);
    await queryRunner.query(`DROP TABLE "reader_events"`);
  }
}
