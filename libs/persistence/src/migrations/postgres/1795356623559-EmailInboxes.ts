import { MigrationInterface, QueryRunner } from 'typeorm';

export class EmailInboxes1795356623559 implements MigrationInterface {
  name = 'EmailInboxes1795356623559';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "email_mailbox_cursors" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "uid_validity" character varying(32), "last_uid" bigint NOT NULL DEFAULT '0', "last_error" text, "last_fetch_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f6d8b38fafe375293fe5a7c4af0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`ALTER TABLE "inboxes" ADD "address" character varying(320)`);
    await queryRunner.query(`ALTER TABLE "inboxes" ADD "secrets" text`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_inboxes_address" ON "inboxes"  ("address") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_inboxes_address"`);
    await queryRunner.query(`ALTER TABLE "inboxes" DROP COLUMN "secrets"`);
    await queryRunner.query(`ALTER TABLE "inboxes" DROP COLUMN "address"`);
    await queryRunner.query(`DROP TABLE "email_mailbox_cursors"`);
  }
}
