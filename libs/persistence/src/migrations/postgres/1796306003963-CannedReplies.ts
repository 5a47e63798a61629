import { MigrationInterface, QueryRunner } from 'typeorm';

export class CannedReplies1796306003963 implements MigrationInterface {
  name = 'CannedReplies1796306003963';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "canned_replies" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "department_id" uuid, "title" character varying(120) NOT NULL, "shortcut" character varying(64), "text" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dd80b4af0ce27d517e404fbc7d6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_canned_replies_library_shortcut" ON "canned_replies"  ("library_id", "shortcut") WHERE department_id IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_canned_replies_department_shortcut" ON "canned_replies"  ("library_id", "department_id", "shortcut") `);
    await queryRunner.query(`CREATE INDEX "ix_canned_replies_library" ON "canned_replies"  ("library_id", "department_id") `);
    await queryRunner.query(`ALTER TABLE "canned_replies" ADD CONSTRAINT "FK_17c246c3cc2808b1e58a79f6b1f" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "canned_replies" ADD CONSTRAINT "FK_8a56c9cf50505ad4729b48da827" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "canned_replies" DROP CONSTRAINT "FK_8a56c9cf50505ad4729b48da827"`);
    await queryRunner.query(`ALTER TABLE "canned_replies" DROP CONSTRAINT "FK_17c246c3cc2808b1e58a79f6b1f"`);
    await queryRunner.query(`DROP INDEX "public"."ix_canned_replies_library"`);
    await queryRunner.query(`DROP INDEX "public"."uq_canned_replies_department_shortcut"`);
    await queryRunner.query(`DROP INDEX "public"."uq_canned_replies_library_shortcut"`);
    await queryRunner.query(`DROP TABLE "canned_replies"`);
  }
}
