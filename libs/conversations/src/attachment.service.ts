import { Injectable, Logger } from '@nestjs/common';
import {
  BlobStorage,
  Clock,
  DomainError,
  Environment,
  LibraryScope,
  newRowId,
  NotFoundError,
  StoredBlob,
} from '@readerdesk/platform';
import type { Readable } from 'node:stream';
import { Attachment } from './attachment.entity';
import { AttachmentRepository } from './attachment.repository';
import { ConversationErrors } from './conversation.errors';

/** A file that arrived with an inbound contact, bytes in hand. */
export interface InboundAttachment {
  filename?: string | null;
  contentType?: string | null;
  content: Buffer;
  contentId?: string | null;
  inline?: boolean;
}

/** A file the channel or the desk could not keep, so the timeline can say so. */
export interface DroppedAttachment {
  filename: string;
  contentType: string;
  size: number;
  reason: string;
}

/** Bytes already in storage, waiting for the row that describes them. */
export interface StagedAttachment {
  id: string;
  blob: StoredBlob;
  filename: string;
  contentType: string;
  contentId: string | null;
  inline: boolean;
}

/** Keeps a name for display and downloads: no paths, no control characters, bounded. */
export function cleanFilename(name: string | null | undefined, fallback = 'attachment'): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((c) => c >= ' ' && c !== '\u007f' && c !== '\u2028' && c !== '\u2029' && c !== '"')
    .join('')
    .trim()
    .slice(0, 255);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? fallback : cleaned;
}

export function cleanContentType(type: string | null | undefined): string {
  const t = (type ?? '').split(';')[0].trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(t) ? t : 'application/octet-stream';
}

/**
 * Attachment bytes and their rows. Bytes are written before the database transaction that records
 * them (storage is not transactional); when that transaction fails, `discard` removes them again.
 */
@Injectable()
export class AttachmentService {
  private readonly logger = new Logger(AttachmentService.name);

  constructor(
    private readonly storage: BlobStorage,
    private readonly attachments: AttachmentRepository,
    private readonly env: Environment,
    private readonly clock: Clock,
  ) {}

  get maxBytes(): number {
    return this.env.DESK_ATTACHMENT_MAX_BYTES;
  }

  private key(scope: LibraryScope, id: string): string {
    const now = this.clock.now();
    const month = String(now.getUTCMonth() + 1).padStart(2, '0');
    return `${scope.libraryId}/${now.getUTCFullYear()}/${month}/${id}`;
  }

  /** Stores inbound files; those over the limit are not stored but reported, so the message keeps a note. */
  async stageInbound(
    scope: LibraryScope,
    files: InboundAttachment[],
  ): Promise<{ staged: StagedAttachment[]; dropped: DroppedAttachment[] }> {
    const staged: StagedAttachment[] = [];
    const dropped: DroppedAttachment[] = [];
    try {
      for (const file of files) {
        const filename = cleanFilename(file.filename);
        const contentType = cleanContentType(file.contentType);
        if (file.content.length > this.maxBytes) {
          dropped.push({
            filename,
            contentType,
            size: file.content.length,
            reason: `larger than ${this.maxBytes} bytes`,
          });
          continue;
        }
        const id = newRowId();
        const blob = await this.storage.put(this.key(scope, id), file.content, { contentType });
        staged.push({ id, blob, filename, contentType, contentId: file.contentId ?? null, inline: !!file.inline });
      }
    } catch (error) {
      await this.discard(staged);
      throw error;
    }
    return { staged, dropped };
  }

  /** Rows for staged bytes; call inside the transaction that stores the message. */
  async record(
    scope: LibraryScope,
    staged: StagedAttachment[],
    conversationId: string,
    messageId: string | null,
    uploadedByAgentId: string | null = null,
  ): Promise<Attachment[]> {
    if (staged.length === 0) return [];
    return this.attachments.insert(
      scope,
      ...staged.map(
        (s) =>
          ({
            id: s.id,
            conversationId,
            messageId,
            filename: s.filename,
            contentType: s.contentType,
            size: s.blob.size,
            sha256: s.blob.sha256,
            storageKey: s.blob.key,
            inline: s.inline,
            contentId: s.contentId,
            uploadedByAgentId,
          }) as Attachment,
      ),
    );
  }

  /** Best effort: bytes whose rows never committed. */
  async discard(staged: StagedAttachment[]): Promise<void> {
    for (const s of staged) {
      await this.storage.delete(s.blob.key).catch((error: unknown) => {
        this.logger.warn(`could not remove orphaned attachment ${s.blob.key}: ${(error as Error).message}`);
      });
    }
  }

  /**
   * An agent's upload for a later reply or note: streamed to storage, refused with 413 past the limit.
   * It belongs to the conversation and waits, without a message, until a reply uses it.
   */
  async upload(
    scope: LibraryScope,
    conversationId: string,
    agentId: string,
    file: { filename: string; contentType: string; body: Readable; declaredLength?: number },
  ): Promise<Attachment> {
    const id = newRowId();
    const contentType = cleanContentType(file.contentType);
    const blob = await this.storage.put(this.key(scope, id), file.body, { contentType, maxBytes: this.maxBytes });
    if (blob.size === 0) {
      await this.storage.delete(blob.key);
      throw new DomainError(ConversationErrors.emptyAttachment, 'The upload has no bytes');
    }
    const staged: StagedAttachment = {
      id,
      blob,
      filename: cleanFilename(file.filename),
      contentType,
      contentId: null,
      inline: false,
    };
    try {
      const [row] = await this.record(scope, [staged], conversationId, null, agentId);
      return row;
    } catch (error) {
      await this.discard([staged]);
      throw error;
    }
  }

  /**
   * Ties uploads to the message that sends them; call inside that message's transaction. Each must be
   * an upload of this conversation not used by another message yet.
   */
  async attachUploads(
    scope: LibraryScope,
    conversationId: string,
    messageId: string,
    ids: string[],
  ): Promise<Attachment[]> {
    const rows: Attachment[] = [];
    for (const id of new Set(ids)) {
      const row = await this.attachments.findById(scope, id);
      if (!row || row.conversationId !== conversationId) throw new NotFoundError('Attachment');
      const claimed = row.messageId === null && (await this.attachments.claimForMessage(scope, id, messageId));
      if (!claimed)
        throw new DomainError(ConversationErrors.attachmentInUse, 'That attachment already belongs to a message');
      rows.push({ ...row, messageId });
    }
    return rows;
  }

  async get(scope: LibraryScope, id: string): Promise<Attachment> {
    return this.attachments.getById(scope, id);
  }

  open(attachment: Attachment): Promise<Readable> {
    return this.storage.get(attachment.storageKey);
  }

  ofMessages(scope: LibraryScope, messageIds: string[]): Promise<Attachment[]> {
    return this.attachments.ofMessages(scope, messageIds);
  }
}
