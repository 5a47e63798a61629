import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReaderHandles1795343845776 implements MigrationInterface {
  name = 'ReaderHandles1795343845776';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."reader_event_type" AS ENUM('merged', 'absorbed', 'handle_unlinked')`);
    await queryRunner.query(`CREATE TABLE "reader_events" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "reader_id" uuid NOT NULL, "type" "public"."reader_event_type" NOT NULL, "actor_agent_id" uuid, "data" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e1b306f8bb260881693a291c2de" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_reader_events_reader" ON "reader_events"  ("library_id", "reader_id", "created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."reader_handle_kind" AS ENUM('email', 'phone', 'card', 'chat')`);
    await queryRunner.query(`CREATE TABLE "reader_handles" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "reader_id" uuid NOT NULL, "kind" "public"."reader_handle_kind" NOT NULL, "value" character varying(320) NOT NULL, "raw" character varying(320) NOT NULL, "valid" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6a7c241bc1136e49ab7aa1cb7ab" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_reader_handles_reader" ON "reader_handles"  ("reader_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_reader_handles_value" ON "reader_handles"  ("library_id", "kind", "value") `);
    await queryRunner.query(`ALTER TABLE "readers" ADD "merged_into_id" uuid`);
    await queryRunner.query(`ALTER TABLE "reader_handles" ADD CONSTRAINT "FK_bee62239e55387c49ae50be5606" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "reader_handles" ADD CONSTRAINT "FK_c5dcec98b9b5425e262056aa826" FOREIGN KEY ("reader_id") REFERENCES "readers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reader_handles" DROP CONSTRAINT "FK_c5dcec98b9b5425e262056aa826"`);
    await queryRunner.query(`ALTER TABLE "reader_handles" DROP CONSTRAINT "FK_bee62239e55387c49ae50be5606"`);
    await queryRunner.query(`ALTER TABLE "readers" DROP COLUMN "merged_into_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_reader_handles_value"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reader_handles_reader"`);
    await queryRunner.query(`DROP TABLE "reader_handles"`);
    await queryRunner.query(`DROP TYPE "public"."reader_handle_kind"`);
    await queryRunner.query(`DROP INDEX "public"."ix_reader_events_reader"`);
    await queryRunner.query(`DROP TABLE "reader_events"`);
    await queryRunner.query(`DROP TYPE "public"."reader_event_type"`);
  }
}
