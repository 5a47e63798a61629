import { Injectable } from '@nestjs/common';
import { DatabaseService, TenantRepository } from '@readerdesk/platform';
import type { Channel } from './conversation-status';
import { Inbox } from './inbox.entity';

@Injectable()
export class InboxRepository extends TenantRepository<Inbox> {
  constructor(db: DatabaseService) {
    super(db, Inbox, 'Inbox');
  }

  /**
   * The inbox an address belongs to, in whichever library: inbound mail and webhooks arrive
   * without a tenant, and the address (unique across the desk) is what tells it.
   */
  findByAddress(address: string): Promise<Inbox | null> {
    return this.db.manager.getRepository(Inbox).findOne({ where: { address: address.trim().toLowerCase() } });
  }

  /** Every inbox of a channel across libraries, for the worker that serves them all. */
  allOfChannel(channel: Channel): Promise<Inbox[]> {
    return this.db.manager.getRepository(Inbox).find({ where: { channel }, order: { createdAt: 'ASC' } });
  }
}
