import { Injectable } from '@nestjs/common';
import { Inbox, sanitiseHtml } from '@readerdesk/conversations';
import { BlobStorage, Clock, DomainError, Environment, LibraryScope, NotFoundError } from '@readerdesk/platform';
import type { Readable } from 'node:stream';
import { ChannelErrors } from '../channels.errors';
import type { EmailAddress } from './email-address';
import { EmailIngestService } from './email-ingest.service';
import { EmailInboxService } from './email-inbox.service';
import { EmailParseError } from './email-parse-error';
import { parseInboundEmail } from './inbound-email-parser';
import type { UnprocessedMail } from './unprocessed-mail.entity';
import { UnprocessedMailRepository, type UnprocessedFilter } from './unprocessed-mail.repository';

export type { UnprocessedFilter };

/** A held message read again for staff: its headers and text, and HTML only as sanitised for display. */
export interface UnprocessedPreview {
  from: EmailAddress | null;
  replyTo: EmailAddress[];
  to: EmailAddress[];
  cc: EmailAddress[];
  date: Date;
  text: string;
  html: string | null;
  attachments: Array<{ filename: string | null; contentType: string; size: number }>;
}

/**
 * The inbox's list of unprocessed mail (what opened no conversation; see EmailIngestService.hold):
 * read it, download the raw message, turn one into a conversation, or discard it. Both settle a
 * pending row once, recording who and when; discarding also removes the raw bytes.
 */
@Injectable()
export class UnprocessedMailService {
  constructor(
    private readonly repository: UnprocessedMailRepository,
    private readonly storage: BlobStorage,
    private readonly ingest: EmailIngestService,
    private readonly emailInboxes: EmailInboxService,
    private readonly clock: Clock,
    private readonly env: Environment,
  ) {}

  page(
    scope: LibraryScope,
    inboxId: string,
    filter: UnprocessedFilter,
    limit: number,
    after?: { receivedAt: Date; id: string },
  ): Promise<UnprocessedMail[]> {
    return this.repository.page(scope, inboxId, filter, limit, after);
  }

  /** One held message of this inbox; another inbox's or library's is a 404 like a missing one. */
  async get(scope: LibraryScope, inboxId: string, id: string): Promise<UnprocessedMail> {
    const row = await this.repository.findById(scope, id);
    if (!row || row.inboxId !== inboxId) throw new NotFoundError('Unprocessed mail');
    return row;
  }

  /** The raw message, or null once discarded. */
  async raw(row: UnprocessedMail): Promise<Readable | null> {
    return row.storageKey ? this.storage.get(row.storageKey) : null;
  }

  /** The message parsed again with the inbound parser; null once discarded (no bytes left). */
  async preview(inbox: Inbox, row: UnprocessedMail): Promise<UnprocessedPreview | null> {
    const bytes = await this.bytes(row);
    if (!bytes) return null;
    try {
      const mail = await parseInboundEmail(bytes, {
        now: row.receivedAt,
        maxAttachmentBytes: this.env.DESK_ATTACHMENT_MAX_BYTES,
        deskAddresses: [this.emailInboxes.settingsOf(inbox).address],
      });
      return {
        from: mail.from,
        replyTo: mail.replyTo,
        to: mail.to,
        cc: mail.cc,
        date: mail.date,
        text: mail.text,
        html: mail.html ? sanitiseHtml(mail.html) : null,
        attachments: [
          ...mail.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            size: a.content.length,
          })),
          ...mail.droppedAttachments.map((d) => ({ filename: d.filename, contentType: d.contentType, size: d.size })),
        ],
      };
    } catch (error) {
      if (error instanceof EmailParseError) return null;
      throw error;
    }
  }

  /**
   * Ingests the held message as a reader's mail: it opens (or continues, when its headers name one) a
   * conversation and records who converted it. `readerAddress` is required when the mail has no sender.
   */
  async convert(
    scope: LibraryScope,
    inbox: Inbox,
    id: string,
    agentId: string,
    readerAddress: string | null,
  ): Promise<{ mail: UnprocessedMail; conversationId: string; conversationCreated: boolean }> {
    const row = this.pending(await this.get(scope, inbox.id, id));
    if (row.reason === 'no_sender' && !readerAddress) {
      throw new DomainError(
        ChannelErrors.readerAddressRequired,
        'The mail has no sender address: give the reader’s address as `email`',
      );
    }
    const bytes = await this.bytes(row);
    if (!bytes) throw new DomainError(ChannelErrors.unprocessedNotPending, 'The raw message is gone');
    const stored = await this.ingest.convertHeld(inbox, bytes, row.receivedAt, {
      unprocessedId: row.id,
      readerAddress,
    });
    const settled = {
      status: 'converted' as const,
      resolvedById: agentId,
      resolvedAt: this.clock.now(),
      conversationId: stored.conversationId,
    };
    if (!(await this.repository.settle(scope, row.id, settled))) {
      // Two conversions at once store the message once (idempotent on its Message-ID); the first settles it.
      const now = await this.get(scope, inbox.id, id);
      if (now.status === 'converted' && now.conversationId === stored.conversationId) {
        return { mail: now, conversationId: stored.conversationId, conversationCreated: false };
      }
      this.pending(now);
    }
    return {
      mail: { ...row, ...settled },
      conversationId: stored.conversationId,
      conversationCreated: stored.conversationCreated,
    };
  }

  /** Records who discarded it and when, and removes the raw bytes (privacy by default). */
  async discard(scope: LibraryScope, inboxId: string, id: string, agentId: string): Promise<UnprocessedMail> {
    const row = this.pending(await this.get(scope, inboxId, id));
    const settled = {
      status: 'discarded' as const,
      resolvedById: agentId,
      resolvedAt: this.clock.now(),
      storageKey: null,
    };
    if (!(await this.repository.settle(scope, row.id, settled))) this.pending(await this.get(scope, inboxId, id));
    // After the commit: a failed removal leaves bytes nobody points at, never a row without its bytes.
    if (row.storageKey) await this.storage.delete(row.storageKey);
    return { ...row, ...settled };
  }

  private pending(row: UnprocessedMail): UnprocessedMail {
    if (row.status !== 'pending') {
      throw new DomainError(ChannelErrors.unprocessedNotPending, `This mail was ${row.status} already`);
    }
    return row;
  }

  private async bytes(row: UnprocessedMail): Promise<Buffer | null> {
    const stream = await this.raw(row);
    if (!stream) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
