import { Injectable } from '@nestjs/common';
import { DatabaseService, LibraryScope } from '@readerdesk/platform';
import { IdentityService, SettledIdentities } from '@readerdesk/readers';
import { Conversation } from './conversation.entity';
import { ConversationRepository, ongoingKey } from './conversation.repository';
import { Message } from './message.entity';
import { MessageRepository } from './message.repository';

/** Everything one ingestion batch writes. */
export interface IngestionBatchWrite {
  /** Readers and handles met for the first time (`IdentityService.settleMany`). */
  identities: SettledIdentities;
  /** New conversations, numbered by the writer. */
  opened: Conversation[];
  /**
   * Existing readers (of a channel that continues ongoing conversations) for whom the batch opens
   * one because it read none: checked again under their locks (`ConversationRepository.lockOngoing`).
   */
  opensFirst: Array<{ readerId: string; inboxId: string }>;
  /** Existing conversations a contact continued, each with its changes (the last contact's win). */
  continued: Array<{ id: string; changes: Partial<Conversation> }>;
  messages: Message[];
}

/**
 * Writes an ingestion batch, the same way on both drivers: the new conversations' numbers from
 * `ConversationRepository.allocateNumbers` (outside the transaction on PostgreSQL, so no batch
 * holds the counter's lock until its commit), and one transaction of multi-row statements, one per
 * table: readers and handles, the continued conversations (one `updateMany`), the new conversations,
 * the messages. A batch that fails writes nothing but leaves its numbers unused.
 */
@Injectable()
export class IngestionWriter {
  constructor(
    private readonly db: DatabaseService,
    private readonly identity: IdentityService,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  /**
   * Numbers the opened conversations and fills every row in place with what it is stored with (the
   * column defaults). `beforeCommit` runs inside the transaction: events it publishes are delivered
   * after the commit, and dropped with a rollback.
   */
  async write(scope: LibraryScope, batch: IngestionBatchWrite, beforeCommit: () => void): Promise<void> {
    // Taken beside the transaction's first statements (on PostgreSQL over a connection of its own):
    // only the conversations' insert needs them. A batch that fails first leaves them unused.
    const numbering = batch.opened.length > 0 ? this.conversations.allocateNumbers(scope, batch.opened.length) : null;
    numbering?.catch(() => undefined);
    await this.db.transaction(async () => {
      await this.identity.storeSettled(scope, batch.identities);
      // After the handles, whose unique index may make this transaction wait on another: the locks
      // are taken by every batch in this same place and order, so waits never go round in a circle.
      await this.assertNoneOpenedMeanwhile(scope, batch.opensFirst);
      await this.conversations.updateMany(scope, batch.continued);
      if (numbering) {
        const first = await numbering;
        batch.opened.forEach((conversation, k) => (conversation.number = first + k));
      }
      fill(batch.opened, await this.conversations.insert(scope, ...batch.opened));
      fill(batch.messages, await this.messages.insert(scope, ...batch.messages));
      beforeCommit();
    });
  }

  /**
   * Fails the batch (which then goes one by one, under the same locks) when another transaction
   * opened a conversation for one of these readers after the batch read none: storing its own would
   * leave the reader two.
   */
  private async assertNoneOpenedMeanwhile(scope: LibraryScope, keys: IngestionBatchWrite['opensFirst']): Promise<void> {
    if (keys.length === 0 || this.db.dialect !== 'postgres') return;
    await this.conversations.lockOngoing(keys);
    const opened = await this.conversations.latestOngoingOfMany(
      scope,
      [...new Set(keys.map((k) => k.readerId))],
      [...new Set(keys.map((k) => k.inboxId))],
    );
    if (keys.some((k) => opened.has(ongoingKey(k.readerId, k.inboxId)))) {
      throw new OpenedMeanwhile(`another transaction opened a conversation for a reader of this batch`);
    }
  }
}

/** A batch's decision to open a conversation that another transaction opened first (retried one by one). */
class OpenedMeanwhile extends Error {}

function fill<T extends object>(drafts: T[], stored: T[]): void {
  drafts.forEach((draft, k) => Object.assign(draft, stored[k]));
}
