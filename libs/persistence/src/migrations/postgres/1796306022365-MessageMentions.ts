import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessageMentions1796306022365 implements MigrationInterface {
  name = 'MessageMentions1796306022365';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "message_mentions" ("id" uuid NOT NULL, "library_id" uuid NOT NULL, "message_id" uuid NOT NULL, "conversation_id" uuid NOT NULL, "agent_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6d3047d9fb0dd841366be90fb87" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_message_mentions_agent" ON "message_mentions"  ("library_id", "agent_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_message_mentions_message_agent" ON "message_mentions"  ("message_id", "agent_id") `);
    await queryRunner.query(`ALTER TABLE "message_mentions" ADD CONSTRAINT "FK_02991e9206dd7dcfe39f23377d8" FOREIGN KEY ("library_id") REFERENCES "libraries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message_mentions" ADD CONSTRAINT "FK_704c2dc52c37d26393dae070253" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message_mentions" ADD CONSTRAINT "FK_cb2bc62c45ca36b11f0a24c57c7" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "message_mentions" ADD CONSTRAINT "FK_2701e5c2c210e7c94d13dd68c6a" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "message_mentions" DROP CONSTRAINT "FK_2701e5c2c210e7c94d13dd68c6a"`);
    await queryRunner.query(`ALTER TABLE "message_mentions" DROP CONSTRAINT "FK_cb2bc62c45ca36b11f0a24c57c7"`);
    await queryRunner.query(`ALTER TABLE "message_mentions" DROP CONSTRAINT "FK_704c2dc52c37d26393dae070253"`);
    await queryRunner.query(`ALTER TABLE "message_mentions" DROP CONSTRAINT "FK_02991e9206dd7dcfe39f23377d8"`);
    await queryRunner.query(`DROP INDEX "public"."uq_message_mentions_message_agent"`);
    await queryRunner.query(`DROP INDEX "public"."ix_message_mentions_agent"`);
    await queryRunner.query(`DROP TABLE "message_mentions"`);
  }
}
