import { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-written: TypeORM would rebuild the messages table to add a column, which on SQLite also
// drops every trigger on it (the full-text index's among them). ADD COLUMN keeps the table.
export class MessageDelivery1795356841326 implements MigrationInterface {
  name = 'MessageDelivery1795356841326';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD COLUMN "delivery_status" varchar(16)`);
    await queryRunner.query(`CREATE INDEX "ix_messages_delivery" ON "messages" ("delivery_status", "created_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_messages_delivery"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "delivery_status"`);
  }
}
