import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConversationCounters1795400000001 implements MigrationInterface {
  name = 'ConversationCounters1795400000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "conversation_counters" ("library_id" varchar PRIMARY KEY NOT NULL, "last_number" integer NOT NULL)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "conversation_counters"`);
  }
}
