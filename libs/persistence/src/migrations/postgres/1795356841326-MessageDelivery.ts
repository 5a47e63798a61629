import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessageDelivery1795356841326 implements MigrationInterface {
  name = 'MessageDelivery1795356841326';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "messages" ADD "delivery_status" character varying(16)`);
    await queryRunner.query(`CREATE INDEX "ix_messages_delivery" ON "messages"  ("delivery_status", "created_at") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_messages_delivery"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "delivery_status"`);
  }
}
