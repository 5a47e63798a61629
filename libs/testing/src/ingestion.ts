import {
  AttachmentService,
  type Channel,
  type ChannelAdapter,
  ChannelRegistry,
  CHANNELS,
  IngestionService,
} from '@readerdesk/conversations';
import { Clock, DatabaseService, EventBus } from '@readerdesk/platform';
import { IdentityService } from '@readerdesk/readers';
import { ConversationRepository } from '../../conversations/src/conversation.repository';
import { InboxRepository } from '../../conversations/src/inbox.repository';
import { IngestionWriter } from '../../conversations/src/ingestion.writer';
import { MessageRepository } from '../../conversations/src/message.repository';

/**
 * A channel registry with the threading rules the desk's adapters have (email threads only through
 * what it names, and any sender may name a conversation; every other channel continues the reader's
 * ongoing one), for code that builds `IngestionService` by hand. No adapter delivers.
 */
export function testChannelRegistry(): ChannelRegistry {
  const adapters = Object.fromEntries(
    CHANNELS.map((channel): [Channel, ChannelAdapter] => [
      channel,
      {
        threading:
          channel === 'email'
            ? { continuesOngoing: false, anySenderMayName: true }
            : { continuesOngoing: true, anySenderMayName: false },
      },
    ]),
  ) as Record<Channel, ChannelAdapter>;
  return ChannelRegistry.of(adapters);
}

/** An `IngestionService` built by hand from its parts, with `testChannelRegistry()` and its own writer. */
export function testIngestionService(parts: {
  database: DatabaseService;
  events: EventBus;
  clock: Clock;
  identity: IdentityService;
  inboxes: InboxRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  attachments: AttachmentService;
}): IngestionService {
  const { database, events, clock, identity, inboxes, conversations, messages, attachments } = parts;
  return new IngestionService(
    database,
    events,
    clock,
    identity,
    inboxes,
    conversations,
    messages,
    attachments,
    testChannelRegistry(),
    new IngestionWriter(database, identity, conversations, messages),
  );
}
