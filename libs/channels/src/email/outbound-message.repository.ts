import { Injectable } from '@nestjs/common';
import { Message } from '@readerdesk/conversations';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { Brackets, IsNull } from 'typeorm';

/** The outbox's questions about outbound messages, answered from the delivery index. */
@Injectable()
export class OutboundMessageRepository extends TenantRepository<Message> {
  constructor(db: DatabaseService) {
    super(db, Message, 'Message');
  }

  /**
   * Outbound messages of these inboxes still waiting to leave: queued ones of any age, and ones the
   * outbox never took (no delivery state) created since `orphansSince`, oldest first.
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
          b.where('m.deliveryStatus = :queued', { queued: 'queued' }).orWhere(
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
   * claiming it at once exactly one writes its Message-ID. False when another got there first.
   */
  async claim(
    scope: LibraryScope,
    id: string,
    changes: Pick<Message, 'externalId' | 'deliveryStatus' | 'data'>,
  ): Promise<boolean> {
    return (await this.updateWhere(scope, { id, deliveryStatus: IsNull() }, changes)) > 0;
  }

  /** Automatic outbound messages (no agent) created since `since`: the acknowledgements among them rate-limit the next. */
  async automaticSince(scope: LibraryScope, since: Date): Promise<Message[]> {
    return this.query(scope, 'm')
      .andWhere('m.deliveryStatus IN (:...states)', { states: ['queued', 'sent', 'failed'] })
      .andWhere('m.createdAt >= :since', { since: this.timestamp(since) })
      .andWhere('m.kind = :kind', { kind: 'outbound' })
      .andWhere('m.authorAgentId IS NULL')
      .getMany();
  }

  /** SQLite keeps timestamps as UTC text ("2026-11-22 11:43:00.000"); comparisons must use the same form. */
  private timestamp(at: Date): Date | string {
    return this.db.dialect === 'sqlite' ? at.toISOString().replace('T', ' ').replace('Z', '') : at;
  }
}
