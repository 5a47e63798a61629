import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConversationCounters1795400000001 implements MigrationInterface {
  name = 'ConversationCounters1795400000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "conversation_counters" ("library_id" uuid NOT NULL, "last_number" integer NOT NULL, CONSTRAINT "PK_6a569056b8684eb2e9c3506849c" PRIMARY KEY ("library_id"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "conversation_counters"`);
  }
}
