import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Brackets, IsNull } from 'typeorm';
import { Message } from '../message.entity';

/** The outbox's questions about outbound messages, answered from the delivery index. */
@Injectable()
export class OutboxRepository extends TenantRepository<Message> {
  constructor(db: DatabaseService) {
    super(db, Message, 'Message');
  }

  /**
   * Outbound messages of these inboxes still waiting to leave: queued ones of any age, ones being
   * sent (the job decides whether that attempt's worker stopped), and ones the outbox never took (no
   * delivery state) created since `orphansSince`, oldest first.
   */
  async awaitingDelivery(
    scope: LibraryScope,
    inboxIds: string[],
    orphansSince: Date,
    limit: number,
  ): Promise<Message[]> {
    if (inboxIds.length === 0) return [];
    return this.query(scope, 'm')
      .andWhere('m.inboxId IN (:...inboxIds)', { inboxIds })
      .andWhere('m.kind = :kind', { kind: 'outbound' })
      .andWhere(
        new Brackets((b) => {
          b.where('m.deliveryStatus IN (:...waiting)', { waiting: ['queued', 'sending'] }).orWhere(
            'm.deliveryStatus IS NULL AND m.createdAt >= :since',
            { since: this.timestamp(orphansSince) },
          );
        }),
      )
      .orderBy('m.createdAt', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .take(limit)
      .getMany();
  }

  /**
   * Takes a message into the outbox: only while it has no delivery state, so that of two processes
   * claiming it at once exactly one writes its external id. False when another got there first.
   */
  async claim(
    scope: LibraryScope,
    id: string,
    changes: Pick<Message, 'externalId' | 'deliveryStatus' | 'data'>,
  ): Promise<boolean> {
    return (await this.updateWhere(scope, { id, deliveryStatus: IsNull() }, changes)) > 0;
  }

  /** The channel's own id of a message it has sent, when it differs from the one given at claim. */
  async setExternalId(scope: LibraryScope, id: string, externalId: string): Promise<void> {
    await this.update(scope, id, { externalId });
  }

  /**
   * Automatic outbound messages (no agent) created since `since`, whatever their delivery state (one
   * recorded a moment ago may not be claimed yet); each state is a range of the delivery index.
   */
  async automaticSince(scope: LibraryScope, since: Date): Promise<Message[]> {
    return this.query(scope, 'm')
      .andWhere(
        new Brackets((b) => {
          b.where('m.deliveryStatus IN (:...states)', { states: ['queued', 'sending', 'sent', 'failed'] }).orWhere(
            'm.deliveryStatus IS NULL',
          );
        }),
      )
      .andWhere('m.createdAt >= :since', { since: this.timestamp(since) })
      .andWhere('m.kind = :kind', { kind: 'outbound' })
      .andWhere('m.authorAgentId IS NULL')
      .getMany();
  }

  /**
   * Inside a transaction: waits for any other transaction holding `key`, and holds it until this
   * one ends (PostgreSQL advisory lock). SQLite transactions take turns already.
   */
  async lockUntilCommit(key: string): Promise<void> {
    if (this.db.dialect !== 'postgres') return;
    if (!this.db.inTransaction) throw new Error('lockUntilCommit needs a transaction');
    await this.db.manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }
}
