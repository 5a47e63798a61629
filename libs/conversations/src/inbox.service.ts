import { Injectable } from '@nestjs/common';
import { LibraryScope, newRowId } from '@readerdesk/platform';
import type { Channel } from './conversation-status';
import { Inbox } from './inbox.entity';
import { InboxRepository } from './inbox.repository';

/** What a new inbox is made of; its id and library come from the desk. */
export type NewInbox = Pick<Inbox, 'channel' | 'name' | 'defaultDepartmentId' | 'settings'> &
  Partial<Pick<Inbox, 'address' | 'secrets'>>;

/** The inboxes of a library (and, for tenantless arrivals, of the whole desk): where contacts come in. */
@Injectable()
export class InboxService {
  /** Inboxes are never deleted and never change channel: known answers are kept (a few per library). */
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly inboxes: InboxRepository) {}

  /**
   * The inbox's channel, or a 404: what a channel's entry point needs before ingestion (which reads the
   * inbox itself, for what may change). Asked on every contact, so remembered once found.
   */
  async channelOf(scope: LibraryScope, id: string): Promise<Channel> {
    const key = `${scope.libraryId}\u0000${id}`;
    const known = this.channels.get(key);
    if (known) return known;
    const { channel } = await this.inboxes.getById(scope, id);
    if (this.channels.size >= 10_000) this.channels.clear();
    this.channels.set(key, channel);
    return channel;
  }

  /** The library's inboxes by name. */
  list(scope: LibraryScope): Promise<Inbox[]> {
    return this.inboxes.find(scope, {}, { name: 'ASC' });
  }

  /** The inbox, or a 404. */
  get(scope: LibraryScope, id: string): Promise<Inbox> {
    return this.inboxes.getById(scope, id);
  }

  find(scope: LibraryScope, id: string): Promise<Inbox | null> {
    return this.inboxes.findById(scope, id);
  }

  /** Stores a new inbox; a unique violation (an address another inbox has) reaches the caller as it is. */
  async create(scope: LibraryScope, inbox: NewInbox): Promise<Inbox> {
    const [created] = await this.inboxes.insert(scope, { id: newRowId(), ...inbox } as Inbox);
    return created;
  }

  async update(scope: LibraryScope, id: string, changes: Partial<NewInbox>): Promise<void> {
    await this.inboxes.update(scope, id, changes);
  }

  /**
   * The inbox an address belongs to, in whichever library: inbound mail and webhooks arrive
   * without a tenant, and the address (unique across the desk) is what tells it.
   */
  findByAddress(address: string): Promise<Inbox | null> {
    return this.inboxes.findByAddress(address);
  }

  /** Every inbox of a channel across libraries, for the worker that serves them all. */
  allOfChannel(channel: Channel): Promise<Inbox[]> {
    return this.inboxes.allOfChannel(channel);
  }
}
