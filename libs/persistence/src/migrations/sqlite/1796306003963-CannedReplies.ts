import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-edited from TypeORM's create-then-rebuild (it creates a table without its foreign keys, then
// rebuilds it to add them) to one CREATE TABLE with them: the same schema, nothing to copy.
export class CannedReplies1796306003963 implements MigrationInterface {
  name = 'CannedReplies1796306003963';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "canned_replies" ("id" varchar PRIMARY KEY NOT NULL, "library_id" varchar NOT NULL, "department_id" varchar, "title" varchar(120) NOT NULL, "shortcut" varchar(64), "text" text NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_17c246c3cc2808b1e58a79f6b1f" FOREIGN KEY ("library_id") REFERENCES "libraries" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_8a56c9cf50505ad4729b48da827" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_canned_replies_library_shortcut" ON "canned_replies" ("library_id", "shortcut") WHERE department_id IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_canned_replies_department_shortcut" ON "canned_replies" ("library_id", "department_id", "shortcut") `);
    await queryRunner.query(`CREATE INDEX "ix_canned_replies_library" ON "canned_replies" ("library_id", "department_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_canned_replies_library"`);
    await queryRunner.query(`DROP INDEX "uq_canned_replies_department_shortcut"`);
    await queryRunner.query(`DROP INDEX "uq_canned_replies_library_shortcut"`);
    await queryRunner.query(`DROP TABLE "canned_replies"`);
  }
}
