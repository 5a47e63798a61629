import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope, TenantRepository } from '@readerdesk/platform';
import { In } from 'typeorm';
import { Message, MessageDelivery } from './message.entity';

@Injectable()
export class MessageRepository extends TenantRepository<Message> {
  constructor(db: DatabaseService) {
    super(db, Message, 'Message');
  }

  findByExternalId(scope: LibraryScope, inboxId: string, externalId: string): Promise<Message | null> {
    return this.findOne(scope, { inboxId, externalId });
  }

  /** Messages of these inboxes stored under any of these external ids (a batch's duplicates). */
  findByExternalIds(
    scope: LibraryScope,
    inboxIds: readonly string[],
    externalIds: readonly string[],
  ): Promise<Message[]> {
    if (inboxIds.length === 0 || externalIds.length === 0) return Promise.resolve([]);
    return this.find(scope, { inboxId: In([...new Set(inboxIds)]), externalId: In([...new Set(externalIds)]) });
  }

  /** The newest of this inbox's messages (inbound or outbound) carrying one of these external ids. */
  async latestWithExternalId(scope: LibraryScope, inboxId: string, externalIds: string[]): Promise<Message | null> {
    if (externalIds.length === 0) return null;
    const [found] = await this.find(
      scope,
      { inboxId, externalId: In(externalIds.slice(-200)) },
      { createdAt: 'DESC', id: 'DESC' },
      1,
    );
    return found ?? null;
  }

  /** Records where an outbound message stands, keeping the rest of its data. */
  async setDelivery(scope: LibraryScope, message: Message, delivery: MessageDelivery): Promise<Message> {
    const data = { ...message.data, delivery };
    await this.update(scope, message.id, { data, deliveryStatus: delivery.status });
    return { ...message, data, deliveryStatus: delivery.status };
  }

  timeline(scope: LibraryScope, conversationId: string): Promise<Message[]> {
    return this.find(scope, { conversationId }, { createdAt: 'ASC', id: 'ASC' });
  }
}
